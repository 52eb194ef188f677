import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { accountModule } from '../../emulator/resources/account.js';
import { appsModule } from '../../emulator/resources/apps/index.js';
import { startTestEmulator, type TestEmulator } from '../support/emulator.js';

/** Spec problems are sent raw (dots would refuse to build some of these bodies) and checked on the wire. */
describe('App Platform spec validation', () => {
  let t: TestEmulator;

  beforeAll(async () => {
    t = await startTestEmulator({ timing: { apiLatencyMs: 0 }, modules: [accountModule, appsModule] });
  });
  afterAll(async () => {
    await t?.stop();
  });
  beforeEach(async () => {
    await t.admin('POST', '/_emulator/reset');
  });

  const rejects = async (body: unknown) => {
    const response = await t.fetch(`${t.emu.apiUrl}/v2/apps`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t.emu.token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(response.status).toBe(400);
    return (await response.json()) as { id: string; message: string };
  };
  const web = (extra: Record<string, unknown> = {}) => ({
    name: 'web',
    image: { registry_type: 'DOCR', repository: 'base2', tag: 'v1' },
    ...extra,
  });

  it.each([
    ['a missing spec', {}, 'spec is required'],
    ['a missing name', { spec: { services: [web()] } }, 'field "name": name is required'],
    ['an invalid name', { spec: { name: 'Base2_Web', services: [web()] } }, 'field "name": must be 2 to 32'],
    ['a name too long', { spec: { name: `a${'b'.repeat(32)}`, services: [web()] } }, 'field "name"'],
    [
      'an unknown region',
      { spec: { name: 'x1', region: 'mars', services: [web()] } },
      'invalid region "mars"',
    ],
    ['no component', { spec: { name: 'x1' } }, 'at least one service'],
    [
      'duplicate component names',
      { spec: { name: 'x1', services: [web()], workers: [web()] } },
      'field "workers.name"',
    ],
    [
      'an invalid component name',
      { spec: { name: 'x1', services: [web({ name: 'Web!' })] } },
      'field "services.name"',
    ],
    ['no source', { spec: { name: 'x1', services: [{ name: 'web' }] } }, 'exactly one source'],
    [
      'an image without registry_type',
      { spec: { name: 'x1', services: [web({ image: { repository: 'base2' } })] } },
      'field "services.image.registry_type": registry_type is required',
    ],
    [
      'an unknown registry_type',
      { spec: { name: 'x1', services: [web({ image: { registry_type: 'QUAY', repository: 'base2' } })] } },
      'field "services.image.registry_type"',
    ],
    [
      'an image without repository',
      { spec: { name: 'x1', services: [web({ image: { registry_type: 'DOCR' } })] } },
      'repository is required',
    ],
    [
      'a registry named for a DOCR image',
      {
        spec: {
          name: 'x1',
          services: [web({ image: { registry_type: 'DOCR', registry: 'acme', repository: 'base2' } })],
        },
      },
      'field "services.image.registry"',
    ],
    [
      'deploy_on_push for an image pinned by digest',
      {
        spec: {
          name: 'x1',
          services: [
            web({
              image: {
                registry_type: 'DOCR',
                repository: 'base2',
                digest: `sha256:${'a'.repeat(64)}`,
                deploy_on_push: { enabled: true },
              },
            }),
          ],
        },
      },
      'field "services.image.deploy_on_push"',
    ],
    [
      'a route path without a leading slash',
      { spec: { name: 'x1', services: [web({ routes: [{ path: 'api' }] })] } },
      'field "services.routes.path"',
    ],
    ['a function with an image source', { spec: { name: 'x1', functions: [web()] } }, 'field "functions"'],
    [
      'an ingress rule for a component that does not exist',
      { spec: { name: 'x1', services: [web()], ingress: { rules: [{ component: { name: 'api' } }] } } },
      'field "ingress.rules.component.name"',
    ],
    [
      'both tag and digest',
      {
        spec: {
          name: 'x1',
          services: [
            web({
              image: {
                registry_type: 'DOCR',
                repository: 'base2',
                tag: 'v1',
                digest: `sha256:${'a'.repeat(64)}`,
              },
            }),
          ],
        },
      },
      'only one of tag or digest',
    ],
    [
      'zero instances',
      { spec: { name: 'x1', services: [web({ instance_count: 0 })] } },
      'field "services.instance_count": must be at least 1',
    ],
    [
      'a fractional instance count',
      { spec: { name: 'x1', services: [web({ instance_count: 1.5 })] } },
      'field "services.instance_count": must be a whole number',
    ],
    [
      'an unknown instance size',
      { spec: { name: 'x1', services: [web({ instance_size_slug: 'apps-huge' })] } },
      'invalid instance size "apps-huge"',
    ],
    [
      'two instances of a single-instance size',
      {
        spec: {
          name: 'x1',
          services: [web({ instance_count: 2, instance_size_slug: 'apps-s-1vcpu-0.5gb' })],
        },
      },
      'does not support more than one instance',
    ],
    [
      'an invalid env key',
      { spec: { name: 'x1', services: [web({ envs: [{ key: '1BAD', value: 'x' }] })] } },
      'field "services.envs.key"',
    ],
    [
      'an unknown env scope',
      { spec: { name: 'x1', services: [web({ envs: [{ key: 'A', scope: 'ALWAYS' }] })] } },
      'field "services.envs.scope"',
    ],
    [
      'an unknown env type',
      { spec: { name: 'x1', services: [web({ envs: [{ key: 'A', type: 'HIDDEN' }] })] } },
      'field "services.envs.type"',
    ],
    [
      'a duplicate env key',
      { spec: { name: 'x1', services: [web({ envs: [{ key: 'A' }, { key: 'A' }] })] } },
      'duplicate environment variable "A"',
    ],
  ])('rejects %s with 400 invalid_argument', async (_name, body, message) => {
    const error = await rejects(body);
    expect(error.id).toBe('invalid_argument');
    expect(error.message).toContain(message);
  });

  const accepts = async (spec: unknown) => {
    const response = await t.fetch(`${t.emu.apiUrl}/v2/apps`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t.emu.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ spec }),
    });
    expect(response.status, await response.clone().text()).toBe(200);
  };

  it('accepts any instance count of at least one for a scalable size: no maximum is documented', async () => {
    await accepts({
      name: 'many',
      services: [web({ instance_count: 300, instance_size_slug: 'apps-d-1vcpu-1gb' })],
    });
    await accepts({
      name: 'legacy',
      services: [web({ instance_count: 2, instance_size_slug: 'professional-xs' })],
    });
  });

  it('accepts every region and every current and legacy instance size the spec lists', async () => {
    const regions = ['atl', 'nyc', 'sfo', 'tor', 'ams', 'fra', 'lon', 'blr', 'sgp', 'syd'];
    for (const region of regions) await accepts({ name: `r-${region}`, region, services: [web()] });
    const sizes = [
      'apps-s-1vcpu-0.5gb',
      'apps-s-1vcpu-1gb-fixed',
      'apps-s-1vcpu-1gb',
      'apps-d-8vcpu-32gb',
      'basic-xxs',
    ];
    for (const [i, size] of sizes.entries())
      await accepts({ name: `s${i}`, services: [web({ instance_size_slug: size })] });
  });

  it('accepts a spec that uses every allowed env scope and type, and keeps fields it does not model', async () => {
    const envs = ['RUN_TIME', 'BUILD_TIME', 'RUN_AND_BUILD_TIME'].map((scope, i) => ({
      key: `K${i}`,
      scope,
      type: i === 0 ? 'SECRET' : 'GENERAL',
      value: 'v',
    }));
    const response = await t.fetch(`${t.emu.apiUrl}/v2/apps`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t.emu.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        spec: {
          name: 'kept',
          alerts: [{ rule: 'DEPLOYMENT_FAILED' }],
          services: [web({ envs, health_check: { http_path: '/healthz' } })],
        },
      }),
    });
    expect(response.status).toBe(200);
    const app = ((await response.json()) as { app: { spec: Record<string, unknown> } }).app;
    expect(app.spec.alerts).toEqual([{ rule: 'DEPLOYMENT_FAILED' }]);
    expect((app.spec.services as { health_check: unknown }[])[0]!.health_check).toEqual({
      http_path: '/healthz',
    });
  });
});
