import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AppSpec } from '../../lib/config/app-spec.js';
import { parseAppSpec, publishedSecretValues } from '../../lib/config/app-spec.js';
import { digestKeyOf } from '../../lib/config/identity.js';
import { loadManifest, resolveDeployment } from '../../lib/config/manifest.js';
import { ownershipOf } from '../../lib/resources/app/ownership.js';
import { planApp, publishedSecretWarnings } from '../../lib/resources/app/plan.js';
import {
  formatDigests,
  parseDigests,
  recordedDigests,
  stampSpec,
  withoutProof,
} from '../../lib/resources/app/proof.js';
import { withAppProof } from '../../lib/resources/app/proof-options.js';
import { specDifferences } from '../../lib/resources/app/spec-compare.js';
import type { AppState } from '../../lib/resources/app/types.js';
import { ROOT, SAMPLE_ENV } from '../support/op-context.js';

const SLUG = 'base2-staging';
const key = digestKeyOf('dop_v1_aaaa');
const spec = (secret: string, tag = 'v1'): AppSpec => ({
  name: SLUG,
  services: [
    {
      name: 'web',
      image: { registry_type: 'DOCR', repository: 'base2', tag },
      envs: [{ key: 'TOKEN', value: secret, scope: 'RUN_TIME', type: 'SECRET' }],
    },
  ],
});
/** What DigitalOcean answers for a spec the tool sent: SECRET values encrypted. */
function answered(sent: AppSpec): AppSpec {
  const copy = structuredClone(sent);
  for (const env of copy.services![0]!.envs!)
    if (env.type === 'SECRET') env.value = 'EV[1:bm9uY2U=:Y2lwaGVy]';
  return copy;
}
const appOf = (s: AppSpec): AppState => ({ id: 'a1', name: SLUG, spec: s });

describe("the app's proof and SECRET digests", () => {
  it('stamps an owner marker and a digest per SECRET, and never the plain value', () => {
    const stamped = stampSpec(spec('hunter2-secret'), SLUG, key);
    const keys = stamped.envs?.map((e) => [e.key, e.scope, e.type]);
    expect(keys).toEqual([
      ['BASE2_DO_OWNER', 'BUILD_TIME', 'GENERAL'],
      ['BASE2_DO_SECRET_DIGESTS', 'BUILD_TIME', 'GENERAL'],
    ]);
    expect(stamped.envs?.[0]?.value).toBe(`managed-by:base2-do ${SLUG}`);
    expect(JSON.stringify(stamped.envs)).not.toContain('hunter2');
    expect(parseDigests(formatDigests(recordedDigests(stamped)!))).toEqual(recordedDigests(stamped));
    expect(withoutProof(stamped)).toEqual(spec('hunter2-secret'));
  });

  it('sees a changed SECRET by its digest, names only its key, and nothing for the same value', () => {
    const live = answered(stampSpec(spec('first'), SLUG, key));
    expect(specDifferences(stampSpec(spec('first'), SLUG, key), live)).toEqual([]);
    expect(specDifferences(stampSpec(spec('second'), SLUG, key), live)).toEqual([
      'services.web.envs.TOKEN: SECRET value changed',
    ]);
    const other = digestKeyOf('dop_v1_bbbb');
    expect(specDifferences(stampSpec(spec('first'), SLUG, other), live)).toEqual([
      'services.web.envs.TOKEN: SECRET digest made with another DigitalOcean token (rolled out again)',
    ]);
    const unrecorded = answered(spec('first'));
    expect(specDifferences(stampSpec(spec('first'), SLUG, key), unrecorded)).toEqual(
      [
        'services.web.envs.TOKEN: SECRET value not on record (rolled out to record its digest)',
        'BASE2_DO_OWNER: ownership marker added',
      ].reverse(),
    );
  });

  it('digests depend on the key, the deployment and the path, not on the value alone', () => {
    const d = key.digest(SLUG, 'envs.A', 'same');
    expect(key.digest(SLUG, 'envs.B', 'same')).not.toBe(d);
    expect(key.digest('base2-production', 'envs.A', 'same')).not.toBe(d);
    expect(digestKeyOf('dop_v1_bbbb').digest(SLUG, 'envs.A', 'same')).not.toBe(d);
    expect(JSON.stringify(key)).not.toMatch(/dop_v1/);
  });

  it('proves ownership by the marker; without it, only an earlier version’s spec (images aside) or adopt_app', () => {
    const desired = stampSpec(spec('s', 'v2'), SLUG, key);
    expect(ownershipOf(appOf(answered(stampSpec(spec('s'), SLUG, key))), desired).state).toBe('proven');
    expect(ownershipOf(appOf(answered(spec('s', 'v1'))), desired).state).toBe('earlier-version');
    const handMade: AppSpec = {
      name: SLUG,
      services: [{ name: 'api', image: { registry_type: 'DOCR', repository: 'x' } }],
    };
    expect(ownershipOf(appOf(handMade), desired)).toMatchObject({ state: 'unproven' });
    expect(ownershipOf(appOf(handMade), undefined)).toMatchObject({ state: 'unproven' });
    expect(ownershipOf(appOf(handMade), desired, true).state).toBe('adopted');
    const foreign = stampSpec(handMade, 'someone-else', key);
    expect(ownershipOf(appOf({ ...foreign, name: SLUG }), desired)).toMatchObject({
      state: 'unproven',
      why: expect.stringContaining('names another owner'),
    });
  });

  it('plans nothing for an app it cannot prove it made, and adopts an earlier version’s with the reason', () => {
    const desired = {
      spec: stampSpec(spec('s', 'v2'), SLUG, key),
      verify: { path: '/', expect_status: 200 },
    };
    const handMade: AppSpec = {
      name: SLUG,
      services: [{ name: 'api', image: { registry_type: 'DOCR', repository: 'x' } }],
    };
    expect(planApp(desired, { app: appOf(handMade), lookAlikes: [] })).toMatchObject([
      { action: 'noop', reason: expect.stringMatching(/^left alone, no proof/) },
    ]);
    expect(planApp(desired, { app: appOf(answered(spec('s'))), lookAlikes: [] })).toMatchObject([
      { action: 'update', reason: expect.stringMatching(/^adopting the app an earlier version/) },
    ]);
  });

  it("refuses the tool's own variables in an app spec file", () => {
    expect(() =>
      parseAppSpec(
        { services: [{ name: 'web' }], envs: [{ key: 'BASE2_DO_OWNER', value: 'managed-by:base2-do x' }] },
        '.do/app.yaml',
      ),
    ).toThrow(/envs\.0\.key: BASE2_DO_OWNER is the tool's own/);
  });

  it('warns, by digest, while the spec file’s default or .env.example’s sample is live, and not for a value of the user’s own', () => {
    const load = (secret: string) =>
      withAppProof(
        resolveDeployment(
          loadManifest(join(ROOT, 'deployment.yml'), { ...SAMPLE_ENV, BASE2_SECRET_KEY: secret }),
          'staging',
        ),
        'dop_v1_published',
        ROOT,
      );
    const live = (deployment: ReturnType<typeof load>): AppState => ({
      id: 'a1',
      name: 'base2-staging',
      spec: answered(deployment.app!.spec),
    });
    for (const [secret, source] of [
      ['', '.do/app.yaml'],
      ['replace-with-a-long-random-value', '.env.example'],
    ] as const) {
      const deployment = load(secret);
      const [warning, ...others] = publishedSecretWarnings(live(deployment), deployment);
      expect(others).toEqual([]);
      expect(warning).toMatch(
        new RegExp(
          `^PUBLISHED SECRET: services\\.web\\.envs\\.BASE2_SECRET_KEY .*is live with the value published in ${source.replace('.', '\\.')}`,
        ),
      );
      expect(warning).toContain('set BASE2_SECRET_KEY');
      expect(warning).not.toContain('base2-demo-secret');
      expect(warning).not.toContain('replace-with');
    }
    const own = load('a-value-of-my-own-5c2e');
    expect(publishedSecretWarnings(live(own), own)).toEqual([]);
    // Not live yet: only a deploy, about to put it live, says so.
    const fresh = load('');
    expect(publishedSecretWarnings(undefined, fresh)).toEqual([]);
    expect(publishedSecretWarnings(undefined, fresh, { deploying: true })[0]).toContain(
      'is about to go live',
    );
  });

  it("reads the values .do/app.yaml publishes for its SECRETs: defaults and literals, not the environment's", () => {
    expect([...publishedSecretValues(join(ROOT, '.do/app.yaml'))]).toEqual([
      [
        'services.web.envs.BASE2_SECRET_KEY',
        { value: 'base2-demo-secret-not-for-production', variable: 'BASE2_SECRET_KEY' },
      ],
    ]);
  });
});
