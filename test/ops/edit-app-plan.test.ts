import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AppSpec } from '../../lib/config/app-spec.js';
import { digestKeyOf } from '../../lib/config/identity.js';
import { loadManifest, resolveDeployment } from '../../lib/config/manifest.js';
import { planAppEdit } from '../../lib/ops/edit/app-edit.js';
import { patchEnvs } from '../../lib/ops/edit/env-patch.js';
import type { ChangeSet } from '../../lib/ops/edit/input.js';
import { liveEnvProblems, runtimeEnv } from '../../lib/ops/edit/live-env.js';
import type { AppState } from '../../lib/resources/app/index.js';
import { isMarkedFor, recordedDigests, stampSpec, withoutProof } from '../../lib/resources/app/proof.js';
import { withAppProof } from '../../lib/resources/app/proof-options.js';
import { ROOT, SAMPLE_ENV } from '../support/op-context.js';

const deployment = resolveDeployment(loadManifest(join(ROOT, 'deployment.yml'), SAMPLE_ENV), 'staging');
const ENCRYPTED = 'EV[1:bm9uY2U=:Y2lwaGVydGV4dA==]';

/**
 * The spec as DigitalOcean answers it: app-wide envs (the tool's owner marker among them), a SECRET
 * in its encrypted form, a worker.
 */
function actualSpec(): AppSpec {
  return {
    name: 'base2-staging',
    region: 'nyc',
    envs: [
      { key: 'SHARED', value: 'one', scope: 'RUN_AND_BUILD_TIME', type: 'GENERAL' },
      {
        key: 'BASE2_DO_OWNER',
        value: 'managed-by:base2-do base2-staging',
        scope: 'BUILD_TIME',
        type: 'GENERAL',
      },
    ],
    services: [
      {
        name: 'web',
        image: { registry_type: 'DOCR', repository: 'base2', tag: 'latest' },
        http_port: 8080,
        instance_count: 1,
        instance_size_slug: 'apps-s-1vcpu-1gb',
        envs: [
          { key: 'LOG_LEVEL', value: 'info', scope: 'RUN_TIME', type: 'GENERAL' },
          { key: 'API_KEY', value: ENCRYPTED, scope: 'RUN_TIME', type: 'SECRET' },
        ],
      },
    ],
    workers: [
      {
        name: 'jobs',
        image: { registry_type: 'DOCR', repository: 'base2', tag: 'latest' },
        envs: [{ key: 'LOG_LEVEL', value: 'warn' }],
      },
    ],
    static_sites: [{ name: 'docs' }],
  } as AppSpec;
}

const app = (spec = actualSpec(), extra: Partial<AppState> = {}): AppState => ({
  id: 'app-1',
  name: 'base2-staging',
  spec,
  active: { id: 'dep-1', phase: 'ACTIVE', spec, progress: { success: 1, total: 1, error: 0, steps: [] } },
  ...extra,
});

function changes(parts: { app?: Partial<ChangeSet['app']>; image?: ChangeSet['image'] } = {}): ChangeSet {
  return {
    app: { scale: {}, setEnv: {}, unsetEnv: [], ...parts.app },
    droplets: {},
    ...(parts.image ? { image: parts.image } : {}),
    records: { add: [], remove: [] },
  };
}

describe('environment patches of the actual spec', () => {
  it('sets a variable everywhere it is defined and keeps everything else, app-wide envs included', () => {
    const spec = actualSpec();
    const patch = patchEnvs(spec, { LOG_LEVEL: { value: 'debug' } }, []);
    expect(patch.changes).toEqual([
      'services.web.envs.LOG_LEVEL: info → debug',
      'workers.jobs.envs.LOG_LEVEL: warn → debug',
    ]);
    expect(spec.envs).toEqual(actualSpec().envs);
    expect(spec.services?.[0]?.envs?.[1]).toEqual(actualSpec().services?.[0]?.envs?.[1]);
    expect(spec.services?.[0]?.envs?.[0]).toEqual({
      key: 'LOG_LEVEL',
      value: 'debug',
      scope: 'RUN_TIME',
      type: 'GENERAL',
    });
  });

  it('adds a new variable app-wide, or to the component named', () => {
    const spec = actualSpec();
    const patch = patchEnvs(
      spec,
      { FEATURE: { value: 'on' }, ONLY_WEB: { value: 'x', component: 'web' } },
      [],
    );
    expect(patch.changes).toEqual(['envs.FEATURE: added = on', 'services.web.envs.ONLY_WEB: added = x']);
    expect(spec.envs?.at(-1)).toEqual({
      key: 'FEATURE',
      value: 'on',
      scope: 'RUN_AND_BUILD_TIME',
      type: 'GENERAL',
    });
  });

  it('sees no change in a value it already has, nor in a SECRET sent back in its encrypted form', () => {
    const spec = actualSpec();
    const patch = patchEnvs(spec, { SHARED: { value: 'one' }, API_KEY: { value: ENCRYPTED } }, ['NOT_THERE']);
    expect(patch.changes).toEqual([]);
    expect(spec).toEqual(actualSpec());
  });

  it('a new SECRET value is a change, shown without the value, and the variable stays SECRET', () => {
    const spec = actualSpec();
    const patch = patchEnvs(spec, { API_KEY: { value: 'new-secret-value' } }, []);
    expect(patch.changes).toEqual(['services.web.envs.API_KEY: new SECRET value']);
    expect(spec.services?.[0]?.envs?.[1]).toMatchObject({ value: 'new-secret-value', type: 'SECRET' });
    expect(
      patchEnvs(
        actualSpec(),
        {
          LOG_LEVEL: { value: 's3cr3t-v4lue', type: 'SECRET' },
          NEW: { value: 'n3w-s3cret', type: 'SECRET' },
        },
        [],
      ).changes.join(),
    ).not.toMatch(/s3cr3t|n3w/);
  });

  it('unsets a variable wherever it is', () => {
    const spec = actualSpec();
    expect(patchEnvs(spec, {}, ['LOG_LEVEL', 'SHARED']).changes).toEqual([
      'services.web.envs.LOG_LEVEL: removed',
      'workers.jobs.envs.LOG_LEVEL: removed',
      'envs.SHARED: removed',
    ]);
    expect(spec.envs?.map((e) => e.key)).toEqual(['BASE2_DO_OWNER']);
  });

  it("refuses to set or unset the tool's own variables", () => {
    const patch = patchEnvs(actualSpec(), { BASE2_DO_OWNER: { value: 'mine' } }, ['BASE2_DO_SECRET_DIGESTS']);
    expect(patch.problems.map((p) => p.path)).toEqual([
      'set_env.BASE2_DO_OWNER',
      'unset_env.BASE2_DO_SECRET_DIGESTS',
    ]);
    expect(patch.changes).toEqual([]);
  });

  it('a SECRET set to the value its digest records is no change; another value is, and its digest follows', () => {
    const digests = { slug: 'base2-staging', key: digestKeyOf('dop_v1_test') };
    const recorded = stampSpec(actualSpec(), 'base2-staging', digests.key);
    // As DigitalOcean answers it: the value encrypted, the digest of the plain value kept.
    const digest = recordedDigests(
      stampSpec(
        {
          ...actualSpec(),
          services: [{ name: 'web', envs: [{ key: 'API_KEY', value: 'current', type: 'SECRET' }] }],
        },
        'base2-staging',
        digests.key,
      ),
    )!;
    const spec = structuredClone(recorded);
    spec.envs = spec.envs!.filter((e) => e.key !== 'BASE2_DO_SECRET_DIGESTS');
    spec.envs.push({
      key: 'BASE2_DO_SECRET_DIGESTS',
      value: `v1 k=${digest.keyId} services.web.envs.API_KEY=${digest.byPath.get('services.web.envs.API_KEY')}`,
      scope: 'BUILD_TIME',
      type: 'GENERAL',
    });
    const same = patchEnvs(structuredClone(spec), { API_KEY: { value: 'current' } }, [], digests);
    expect(same).toEqual({ changes: [], problems: [] });
    // Without the key that made the digest, the value cannot be compared: it counts as a change.
    expect(patchEnvs(structuredClone(spec), { API_KEY: { value: 'current' } }, []).changes).toHaveLength(1);
    const next = structuredClone(spec);
    expect(patchEnvs(next, { API_KEY: { value: 'rotated' } }, [], digests).changes).toEqual([
      'services.web.envs.API_KEY: new SECRET value',
    ]);
    const after = recordedDigests(next)!;
    expect(after.byPath.get('services.web.envs.API_KEY')).toBe(
      digests.key.digest('base2-staging', 'services.web.envs.API_KEY', 'rotated'),
    );
    expect(JSON.stringify(next.envs)).not.toContain('rotated');
  });

  it('names a component that does not exist', () => {
    expect(patchEnvs(actualSpec(), { X: { value: '1', component: 'api' } }, []).problems).toEqual([
      {
        path: 'set_env.X.component',
        message: 'there is no component named api (the app has web, jobs, docs)',
      },
    ]);
  });
});

describe('the app part of an edit', () => {
  it("refuses an app it cannot prove it made; an earlier version's app gets the owner marker with the change", () => {
    const proven = withAppProof(deployment, 'dop_v1_edit', ROOT);
    const unmarked = actualSpec();
    unmarked.envs = unmarked.envs!.filter((e) => e.key !== 'BASE2_DO_OWNER');
    const scale = changes({ app: { scale: { web: { instance_count: 2 } } } });
    const refused = planAppEdit(proven, scale, app(unmarked));
    expect(refused.problems.map((p) => p.message).join()).toMatch(/no proof that this tool made it/);

    // What an earlier version deployed: deployment.yml's spec, no marker, the SECRET encrypted.
    const earlier = withoutProof(structuredClone(proven.app!.spec));
    for (const env of earlier.services![0]!.envs!) if (env.type === 'SECRET') env.value = ENCRYPTED;
    const adopted = planAppEdit(proven, scale, app(earlier));
    expect(adopted.problems).toEqual([]);
    expect(adopted.edit.changes).toContain('BASE2_DO_OWNER: ownership marker added');
    expect(isMarkedFor(adopted.edit.next.spec, 'base2-staging')).toBe(true);
  });

  it('scales instances and sizes, with one update step listing every change', () => {
    const { edit, problems } = planAppEdit(
      deployment,
      changes({
        app: {
          scale: {
            web: { instance_count: 3 },
            jobs: { instance_count: 1, instance_size_slug: 'apps-s-1vcpu-2gb' },
          },
        },
      }),
      app(),
    );
    expect(problems).toEqual([]);
    expect(edit.step?.reason).toBe(
      'services.web.instance_count: 1 → 3; workers.jobs.instance_size_slug: (default) → apps-s-1vcpu-2gb',
    );
    expect(edit.next.spec.services?.[0]?.instance_count).toBe(3);
    expect(edit.previous.spec).toEqual(actualSpec());
    expect(edit.activeBefore).toBe('dep-1');
  });

  it('changes the image of the components running the manifest’s repository', () => {
    const { edit } = planAppEdit(deployment, changes({ image: { tag: '1.4.2' } }), app());
    expect(edit.step?.reason).toBe('image: base2:latest → base2:1.4.2');
    expect(edit.next.spec.workers?.[0]?.image?.tag).toBe('1.4.2');
  });

  it('plans nothing when the spec already is what the edit asks for', () => {
    const { edit } = planAppEdit(
      deployment,
      changes({ app: { scale: { web: { instance_count: 1 } }, setEnv: { SHARED: { value: 'one' } } } }),
      app(),
    );
    expect(edit.step).toBeUndefined();
    expect(edit.continuing).toBe(false);
  });

  it('follows a deployment still running from an earlier call, restoring to the live one if it fails', () => {
    const running = {
      id: 'dep-2',
      phase: 'BUILDING',
      progress: { success: 0, total: 3, error: 0, steps: [] },
    };
    const older = { ...actualSpec(), services: [{ ...actualSpec().services![0]!, instance_count: 1 }] };
    const current = { ...actualSpec(), services: [{ ...actualSpec().services![0]!, instance_count: 2 }] };
    const state = app(current, {
      active: {
        id: 'dep-1',
        phase: 'ACTIVE',
        spec: older,
        progress: { success: 1, total: 1, error: 0, steps: [] },
      },
      inProgress: running,
    });
    const { edit } = planAppEdit(
      deployment,
      changes({ app: { scale: { web: { instance_count: 2 } } } }),
      state,
    );
    expect(edit.continuing).toBe(true);
    expect(edit.previous.spec.services?.[0]?.instance_count).toBe(1);
  });

  it('refuses to scale what does not exist or has no instances', () => {
    const { problems } = planAppEdit(
      deployment,
      changes({ app: { scale: { api: { instance_count: 2 }, docs: { instance_count: 2 } } } }),
      app(),
    );
    expect(problems.map((p) => `${p.path}: ${p.message}`)).toEqual([
      'scale.app.api: there is no component named api (the app has web, jobs, docs)',
      'scale.app.docs: docs is a static site: it has no instances to scale',
    ]);
  });
});

describe('the live environment check', () => {
  const spec = actualSpec();
  const expected = runtimeEnv(spec, 'web');

  it('is the component’s run-time environment, its own values winning over app-wide ones', () => {
    expect([...expected.keys()]).toEqual(['SHARED', 'LOG_LEVEL', 'API_KEY']);
    expect(expected.get('API_KEY')?.secret).toBe(true);
    expect(runtimeEnv(spec, 'jobs').get('LOG_LEVEL')?.value).toBe('warn');
  });

  it('reports values not live, removed keys still set and SECRET keys shown, by key only', () => {
    const live = { SHARED: 'two', API_KEY: 'plain-secret', GONE: 'x' };
    expect(liveEnvProblems(live, expected, ['SHARED', 'LOG_LEVEL', 'API_KEY', 'GONE'])).toEqual([
      'SHARED has another value',
      'LOG_LEVEL is not set',
      'API_KEY is SECRET but the page shows it',
      'GONE was removed but is still set',
    ]);
    expect(
      liveEnvProblems({ SHARED: 'one', LOG_LEVEL: 'info' }, expected, ['SHARED', 'LOG_LEVEL', 'API_KEY']),
    ).toEqual([]);
  });
});
