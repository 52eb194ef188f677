/**
 * Propose as a preflight: for an existing app (`app_id`), POST /v2/apps/propose refuses exactly what
 * PUT /v2/apps/{id} refuses, with the same answer, and accepts what it accepts — the app's encrypted
 * SECRET values included — while changing nothing. One validation serves both (spec-parse.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountModule } from '../../emulator/resources/account.js';
import { appsModule } from '../../emulator/resources/apps/index.js';
import { startTestEmulator, type TestEmulator } from '../support/emulator.js';

type Json = Record<string, unknown>;

const web = (extra: Json = {}): Json => ({
  name: 'web',
  image: { registry_type: 'DOCR', repository: 'base2', tag: 'v1' },
  instance_count: 1,
  instance_size_slug: 'apps-s-1vcpu-0.5gb',
  envs: [{ key: 'TOKEN', value: 'plain-secret-value', type: 'SECRET', scope: 'RUN_TIME' }],
  ...extra,
});
const spec = (service: Json = web()): Json => ({ name: 'base2-propose', region: 'nyc', services: [service] });

describe('App Platform propose for an existing app', () => {
  let t: TestEmulator;
  let appId: string;
  let stored: Json;

  const call = async (method: string, path: string, body?: unknown) => {
    const response = await t.fetch(`${t.emu.apiUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${t.emu.token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as Json };
  };
  const deployments = async () =>
    ((await call('GET', `/v2/apps/${appId}/deployments`)).body.deployments as unknown[]).length;

  beforeAll(async () => {
    t = await startTestEmulator({ timing: { apiLatencyMs: 0 }, modules: [accountModule, appsModule] });
    const created = await call('POST', '/v2/apps', { spec: spec() });
    const app = created.body.app as { id: string; spec: Json };
    appId = app.id;
    stored = app.spec;
  });
  afterAll(async () => {
    await t?.stop();
  });

  const withService = (extra: Json) => {
    const service = (stored.services as Json[])[0]!;
    return { ...stored, services: [{ ...service, ...extra }] };
  };

  it.each([
    ['two instances of a single-instance size', { instance_count: 2 }],
    ['an unknown instance size', { instance_size_slug: 'apps-s-9vcpu-0.1gb' }],
    ['zero instances', { instance_count: 0 }],
    ['an invalid image tag', { image: { registry_type: 'DOCR', repository: 'base2', tag: 'bad tag' } }],
  ])('refuses %s exactly as the update would, and changes nothing', async (_label, extra) => {
    const before = await deployments();
    const proposed = await call('POST', '/v2/apps/propose', { spec: withService(extra), app_id: appId });
    const updated = await call('PUT', `/v2/apps/${appId}`, { spec: withService(extra) });
    const answer = (r: typeof proposed) => ({ status: r.status, id: r.body.id, message: r.body.message });
    expect(proposed.status).toBe(400);
    expect(answer(proposed)).toEqual(answer(updated));
    expect(await deployments()).toBe(before);
  });

  it('accepts the app’s spec with its encrypted SECRET values, answers the cost and starts nothing', async () => {
    const value = ((stored.services as Json[])[0]!.envs as Json[])[0]!.value as string;
    expect(value).toMatch(/^EV\[/);
    const before = await deployments();
    const proposed = await call('POST', '/v2/apps/propose', {
      spec: withService({ instance_count: 2, instance_size_slug: 'apps-s-1vcpu-1gb' }),
      app_id: appId,
    });
    expect(proposed.status, JSON.stringify(proposed.body)).toBe(200);
    expect(proposed.body.app_cost).toBe(24);
    expect(proposed.body.app_name_available).toBe(true);
    expect(JSON.stringify(proposed.body)).not.toContain('plain-secret-value');
    expect(await deployments()).toBe(before);
    const app = (await call('GET', `/v2/apps/${appId}`)).body.app as { spec: { services: Json[] } };
    expect(app.spec.services[0]!.instance_count).toBe(1);
  });
});
