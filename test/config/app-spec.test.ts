// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} in plain strings is the substitution syntax under test
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bindAppSpec } from '../../lib/config/app-binding.js';
import { type AppSpec, loadAppSpec, parseAppSpec, secretValuesOf } from '../../lib/config/app-spec.js';
import { InputError } from '../../lib/errors.js';
import { FIXTURES, tempProject, thrown } from './temp-project.js';

const specError = (raw: unknown) => thrown(InputError, () => parseAppSpec(raw, 'app.yaml'));
const web = (extra: Record<string, unknown> = {}) => ({ name: 'web', http_port: 8080, ...extra });

describe('app spec validation', () => {
  it('reports every problem App Platform would refuse, at its path in the spec file', () => {
    const file = join(FIXTURES, 'invalid-app-spec', 'app.yaml');
    const error = thrown(InputError, () => loadAppSpec(file, {}));
    expect(error.message.startsWith(`${file} is invalid: `)).toBe(true);
    expect(error.problems.map((problem) => problem.path)).toEqual([
      'name',
      'region',
      'services.0.image.tag',
      'services.0.envs.0.key',
      'services.0.envs.1.value',
      'services.0.envs.1.type',
      'services.0.instance_count',
      'services.0.http_port',
      'services.1.image.registry',
      'workers.0.name',
      'services.1.name',
      'ingress.rules.0.component.name',
    ]);
    expect(error.problems.find((problem) => problem.path === 'services.0.image.tag')?.message).toMatch(
      /quote it/,
    );
  });

  it('checks image sources: no registry for DOCR, not both tag and digest', () => {
    const digest = `sha256:${'0'.repeat(64)}`;
    const error = specError({
      services: [
        web({ image: { registry_type: 'DOCR', registry: 'me', repository: 'base2', tag: 'v1', digest } }),
      ],
    });
    expect(error.problems).toEqual([
      { path: 'services.0.image.registry', message: expect.stringMatching(/left out for DOCR/) },
      { path: 'services.0.image.digest', message: expect.stringMatching(/together with tag/) },
    ]);
  });

  it('needs at least one component', () => {
    expect(specError({ name: 'base2' }).problems).toEqual([
      { path: 'services', message: expect.stringMatching(/at least one/) },
    ]);
  });

  it('keeps fields it does not model, and turns whole numbers and booleans in env values into text', () => {
    const spec = parseAppSpec(
      {
        alerts: [{ rule: 'DEPLOYMENT_FAILED' }],
        databases: [{ name: 'db', engine: 'PG' }],
        services: [
          web({
            run_command: 'node server.js',
            envs: [
              { key: 'PORT', value: 8080 },
              { key: 'DEBUG', value: false },
            ],
          }),
        ],
        static_sites: [{ name: 'docs', output_dir: 'site' }],
      },
      'app.yaml',
    );
    expect(spec.alerts).toEqual([{ rule: 'DEPLOYMENT_FAILED' }]);
    expect(spec.databases).toEqual([{ name: 'db', engine: 'PG' }]);
    expect(spec.services?.[0]).toMatchObject({
      run_command: 'node server.js',
      envs: [
        { key: 'PORT', value: '8080' },
        { key: 'DEBUG', value: 'false' },
      ],
    });
  });

  it('substitutes ${VAR:-default} but leaves App Platform bindable variables for App Platform', () => {
    const dir = tempProject({
      'app.yaml':
        'services:\n  - name: web\n    envs:\n      - { key: URL, value: "${APP_URL}" }\n      - { key: DB, value: "${db.DATABASE_URL}" }\n' +
        '      - { key: KEY, value: "${KEY:-fallback}", type: SECRET }\n',
    });
    const spec = loadAppSpec(join(dir, 'app.yaml'), { KEY: 'from-env', APP_URL: 'ignored' });
    expect(spec.services?.[0]?.envs?.map((envVar) => envVar.value)).toEqual([
      '${APP_URL}',
      '${db.DATABASE_URL}',
      'from-env',
    ]);
  });
});

describe('secretValuesOf', () => {
  it('lists SECRET values app-wide and per component, and nothing else', () => {
    const spec = parseAppSpec(
      {
        envs: [
          { key: 'SHARED', value: 'app-secret', type: 'SECRET' },
          { key: 'MODE', value: 'prod' },
        ],
        services: [
          web({
            envs: [
              { key: 'A', value: 'service-secret', type: 'SECRET' },
              { key: 'B', value: 'plain', type: 'GENERAL' },
            ],
          }),
        ],
        workers: [
          {
            name: 'jobs',
            envs: [
              { key: 'C', value: 'app-secret', type: 'SECRET' },
              { key: 'EMPTY', type: 'SECRET' },
            ],
          },
        ],
      },
      'app.yaml',
    );
    expect(secretValuesOf(spec)).toEqual(['app-secret', 'service-secret']);
  });
});

describe('bindAppSpec', () => {
  const binding = { baseName: 'base2', slug: 'base2-staging', region: 'nyc' as const };

  it('names the app after the deployment and fills in the region only when the spec has none', () => {
    const spec: AppSpec = { name: 'base2', services: [web()] };
    expect(bindAppSpec(spec, binding)).toEqual({ name: 'base2-staging', region: 'nyc', services: [web()] });
    expect(bindAppSpec({ ...spec, region: 'ams' }, binding).region).toBe('ams');
    expect(spec.name).toBe('base2');
  });

  it('leaves components alone when app.image has no tag or names another image', () => {
    const image = { registry_type: 'DOCR' as const, repository: 'base2', tag: 'v1' };
    const spec: AppSpec = {
      services: [web({ image })],
      workers: [{ name: 'jobs', image: { ...image, repository: 'jobs' } }],
    };
    const bound = bindAppSpec(spec, {
      ...binding,
      image: { registry_type: 'DOCR', repository: 'base2', tag: 'v2' },
    });
    expect(bound.services?.[0]?.image?.tag).toBe('v2');
    expect(bound.workers?.[0]?.image?.tag).toBe('v1');
    expect(
      bindAppSpec(spec, { ...binding, image: { registry_type: 'DOCR', repository: 'base2' } }).services?.[0]
        ?.image?.tag,
    ).toBe('v1');
  });
});
