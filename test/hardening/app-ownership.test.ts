/**
 * An app with the deployment's exact name that the tool did not make (by hand, by another tool, or
 * marked for another deployment): every mutating operation leaves it exactly as it was.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { operations } from '../../lib/ops/index.js';
import type { AnyOperation } from '../../lib/ops/types.js';
import { expandSpec } from '../../lib/resources/app/index.js';
import { type Harness, startHarness } from './harness.js';
import { Tally } from './tally.js';

const tally = new Tally(import.meta.filename);
const SLUG = 'base2-apponly';
const ops = operations as Record<string, AnyOperation>;
let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.stop();
  tally.publish();
});

const image = (repository: string, tag = 'latest') => ({ registry_type: 'DOCR', repository, tag });
const web = (extra: Record<string, unknown> = {}) => ({
  name: 'web',
  image: image('base2'),
  http_port: 8080,
  instance_size_slug: 'apps-s-1vcpu-0.5gb',
  ...extra,
});

/** Specs someone else could have given an app of the deployment's name. */
const FOREIGN: Record<string, Record<string, unknown>> = {
  'another component and image': { services: [{ ...web(), name: 'api', image: image('other') }] },
  'the same component, scaled and configured otherwise': {
    services: [
      web({
        instance_count: 2,
        instance_size_slug: 'apps-s-1vcpu-1gb',
        envs: [{ key: 'MODE', value: 'theirs' }],
      }),
    ],
  },
  'a worker only': { workers: [{ name: 'jobs', image: image('base2') }] },
  "another deployment's owner marker": {
    envs: [{ key: 'BASE2_DO_OWNER', value: 'managed-by:base2-do base2-production', scope: 'BUILD_TIME' }],
    services: [web()],
  },
};

const ATTEMPTS: Array<[string, Record<string, unknown>]> = [
  ['deploy', { env: 'apponly' }],
  ['deploy', { env: 'apponly', dry_run: true }],
  ['edit', { env: 'apponly', set_env: { BASE2_LOG_LEVEL: 'debug' } }],
  ['maintain', { env: 'apponly' }],
  ['teardown', { env: 'apponly' }],
];

async function theApp() {
  const apps = (await h.t.dots.v2.apps.get({ queryParameters: { perPage: 200 } }))?.apps ?? [];
  const app = apps.find((a) => a.spec?.name === SLUG);
  return app && { id: app.id, spec: JSON.stringify(app.spec) };
}

describe("an app with the deployment's name that the tool cannot prove it made", () => {
  it('is left exactly as it was by every mutating operation', async () => {
    const cases = Object.entries(FOREIGN).flatMap(([shape, spec]) =>
      ATTEMPTS.map(([op, input]) => ({ shape, spec, op, input })),
    );
    await tally.corpus(
      'bad_input',
      cases,
      ({ shape, op, input }) => `${op}${input.dry_run ? ' --dry-run' : ''} against ${shape}`,
      async ({ spec, op, input }) => {
        await h.reset();
        const created = await h.t.dots.v2.apps.post({
          spec: expandSpec({ name: SLUG, region: 'nyc', ...spec } as never),
        });
        if (!created?.app?.id) throw new Error('the emulator refused the foreign app');
        const before = await theApp();
        await h.clearRequests();
        const attempt = await h.run(ops[op]!, input);
        const said = JSON.stringify(attempt.report ?? attempt.error?.describe());
        expect(said).toMatch(/no proof/);
        expect(await theApp()).toEqual(before);
        const calls = (await h.requests()).filter((r) => r.method !== 'GET' && r.path.startsWith('/v2/apps'));
        expect(calls.map((r) => `${r.method} ${r.path}`)).toEqual([]);
      },
    );
  });
});
