import type { App } from '@digitalocean/dots';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AppSpec } from '../../lib/config/app-spec.js';
import type { Deployment } from '../../lib/config/manifest.js';
import { ConflictError } from '../../lib/errors.js';
import { appModule, expandSpec, withImage } from '../../lib/resources/app/index.js';
import { waitFor } from '../../lib/resources/wait.js';
import { startTestEmulator, type TestEmulator } from '../support/emulator.js';
import { type TestContext, testContext } from '../support/op-context.js';

let t: TestEmulator;
let tc: TestContext;

beforeAll(async () => {
  t = await startTestEmulator();
});
afterAll(async () => {
  await t?.stop();
});
beforeEach(async () => {
  await t.admin('POST', '/_emulator/reset');
  tc = testContext(t);
});
afterEach(async () => {
  await tc.close();
});

function staging(): Deployment {
  const deployment = tc.deployment('staging');
  const app = deployment.app!;
  return { ...deployment, app: { ...app, spec: withImage(app.spec, { tag: 'v1', repository: 'base2' }) } };
}

async function apps(): Promise<App[]> {
  return (await t.dots.v2.apps.get({ queryParameters: { perPage: 200 } }))?.apps ?? [];
}

/** Makes an app behind the tool's back (another deploy, a person at the control panel). */
async function seedApp(spec: AppSpec): Promise<string> {
  return (await t.dots.v2.apps.post({ spec: expandSpec(spec) }))!.app!.id!;
}

/** Plans against the account as it is now, then applies the changes. */
async function planAndApply(deployment: Deployment) {
  const desired = appModule.desired(deployment, { dropletIpv4: [] });
  const plan = appModule.plan(desired, await appModule.read(tc.ctx, deployment));
  return { plan, applied: await appModule.apply(tc.ctx, deployment, plan) };
}

describe('creating the app without ever making two', () => {
  it('finds the app after a create that succeeded but answered 500, and makes no second one', async () => {
    await t.admin('POST', '/_emulator/faults', {
      method: 'POST',
      path: '/v2/apps',
      mode: 'commit-then-error',
      status: 500,
      count: 1,
    });
    const { plan, applied } = await planAndApply(staging());
    expect(plan).toMatchObject([{ action: 'create' }]);
    const [app, ...others] = await apps();
    expect(others).toEqual([]);
    expect(app?.spec?.name).toBe('base2-staging');
    expect(applied).toMatchObject([{ action: 'create', outcome: 'ok', id: app!.id }]);
    const posts = (await t.requests()).filter((r) => r.method === 'POST');
    expect(posts.map((r) => r.status)).toEqual([500]);
    expect(tc.ctx.audit.records()).toMatchObject([{ action: 'create', outcome: 'failed' }]);
  });

  it('finds the app after a create whose answer never came', async () => {
    await t.admin('POST', '/_emulator/faults', {
      method: 'POST',
      path: '/v2/apps',
      mode: 'commit-then-drop',
      count: 1,
    });
    const { applied } = await planAndApply(staging());
    expect(await apps()).toHaveLength(1);
    expect(applied).toMatchObject([{ action: 'create', outcome: 'ok' }]);
  });

  it('takes a 409 for its own name as its app (made by an earlier attempt) and goes on', async () => {
    await t.admin('POST', '/_emulator/faults', {
      method: 'POST',
      path: '/v2/apps',
      mode: 'commit-then-error',
      status: 409,
      count: 1,
    });
    const { applied } = await planAndApply(staging());
    const [app, ...others] = await apps();
    expect(others).toEqual([]);
    expect(applied).toMatchObject([
      { action: 'create', outcome: 'ok', id: app!.id, detail: expect.stringContaining('already existed') },
    ]);
  });

  it('brings an app that appeared after the plan (a concurrent deploy) to the desired spec', async () => {
    const deployment = staging();
    const desired = appModule.desired(deployment, { dropletIpv4: [] });
    const plan = appModule.plan(desired, await appModule.read(tc.ctx, deployment));
    const id = await seedApp(withImage(deployment.app!.spec, { tag: 'v0' }));
    const applied = await appModule.apply(tc.ctx, deployment, plan);
    expect(applied).toMatchObject([
      {
        action: 'create',
        outcome: 'ok',
        id,
        detail: expect.stringContaining('with another spec: updated it'),
      },
    ]);
    const [app, ...others] = await apps();
    expect(others).toEqual([]);
    expect(app?.spec?.services?.[0]?.image?.tag).toBe('v1');
    expect(tc.ctx.audit.records()).toMatchObject([{ action: 'update', outcome: 'ok' }]);
  });

  it('refuses, touching nothing, an app made by hand with its name after the plan', async () => {
    const deployment = staging();
    const desired = appModule.desired(deployment, { dropletIpv4: [] });
    const plan = appModule.plan(desired, await appModule.read(tc.ctx, deployment));
    const byHand = {
      name: 'base2-staging',
      region: 'nyc',
      workers: [{ name: 'jobs', image: { registry_type: 'DOCR', repository: 'other' } }],
    };
    await seedApp(byHand as AppSpec);
    const before = JSON.stringify((await apps())[0]?.spec);
    const failure = appModule.apply(tc.ctx, deployment, plan);
    await expect(failure).rejects.toBeInstanceOf(ConflictError);
    await expect(failure).rejects.toThrow(/no proof that this tool made it/);
    expect(JSON.stringify((await apps())[0]?.spec)).toBe(before);
    expect(tc.ctx.audit.records().filter((r) => r.outcome === 'ok')).toEqual([]);
  });

  it('refuses with a ConflictError when the name is taken by no app it can see, touching nothing', async () => {
    await t.admin('POST', '/_emulator/faults', {
      method: 'POST',
      path: '/v2/apps',
      mode: 'error',
      status: 409,
      count: 1,
      body: { id: 'already_exists', message: 'an app with the name "base2-staging" already exists' },
    });
    const failure = planAndApply(staging());
    await expect(failure).rejects.toBeInstanceOf(ConflictError);
    await expect(failure).rejects.toThrow(
      /Could not create app base2-staging: .*name is taken \(409 already_exists/,
    );
    expect(await apps()).toEqual([]);
    const calls = (await t.requests()).map((r) => `${r.method} ${r.status}`);
    expect(calls.filter((c) => !c.startsWith('GET'))).toEqual(['POST 409']);
  });
});

describe('waiting within a deadline', () => {
  it('leaves the wait pending with progress when time runs out, and the next call follows the same deployment', async () => {
    await t.dots.v2.registry.post({ name: 'base2-tests', subscriptionTierSlug: 'basic', region: 'nyc3' });
    await t.admin('POST', '/_emulator/registry/images', { repository: 'base2', tag: 'v1' });
    const short = testContext(t, { timeoutMs: 150 });
    try {
      const deployment = staging();
      const desired = appModule.desired(deployment, { dropletIpv4: [] })!;
      const plan = appModule.plan(desired, await appModule.read(short.ctx, deployment));
      const [created] = await appModule.apply(short.ctx, deployment, plan);
      const waited = await waitFor(short.ctx, 'app', () =>
        appModule.readiness!(short.ctx, deployment, desired),
      );
      expect(waited).toMatchObject({
        state: 'pending',
        detail: expect.stringMatching(/^[A-Z_]+( \d+\/\d+ steps)? \(deployment /),
      });

      // The next invocation knows nothing but DigitalOcean's state, and carries on.
      const next = appModule.plan(desired, await appModule.read(tc.ctx, deployment));
      // Nothing new is started: the deployment is followed (or, on a loaded machine, already live).
      expect(next).toMatchObject([
        { action: 'noop', reason: expect.stringMatching(/in progress|up to date/) },
      ]);
      const settled = await waitFor(tc.ctx, 'app', () => appModule.readiness!(tc.ctx, deployment, desired));
      expect(settled).toEqual({ state: 'ready' });
      const app = (await appModule.read(tc.ctx, deployment)).app!;
      expect(created!.detail).toBe(`started deployment ${app.active!.id}`);
    } finally {
      await short.close();
    }
  });
});

describe('destroying the app', () => {
  it('deletes the app with the exact name, leaves a look-alike, and a second destroy has nothing to do', async () => {
    const deployment = staging();
    const spec = deployment.app!.spec;
    await seedApp(spec);
    const lookAlike = await seedApp({ ...spec, name: 'base2-staging-old' });

    const actual = await appModule.read(tc.ctx, deployment);
    // The sample's BASE2_SECRET_KEY is left to its published default here: that is warned about too.
    const warnings = appModule.warnings(actual, deployment);
    expect(warnings.filter((w) => w.startsWith('PUBLISHED SECRET: '))).toHaveLength(1);
    expect(warnings.filter((w) => !w.startsWith('PUBLISHED SECRET: '))).toEqual([
      `app base2-staging-old (${lookAlike}) has a name starting with base2-staging but is not this ` +
        "deployment's app (base2-staging): it is left alone.",
    ]);
    const steps = appModule.destroy(actual);
    expect(steps).toMatchObject([{ kind: 'app', action: 'delete', name: 'base2-staging' }]);
    const [deleted] = await appModule.apply(tc.ctx, deployment, steps);
    expect(deleted).toMatchObject({ outcome: 'ok', action: 'delete' });
    expect(deleted?.detail).toBeUndefined();
    expect((await apps()).map((a) => a.spec?.name)).toEqual(['base2-staging-old']);

    expect(appModule.destroy(await appModule.read(tc.ctx, deployment))).toEqual([]);
    // A delete that races another teardown finds the app gone, which is what it wanted.
    expect(await appModule.apply(tc.ctx, deployment, steps)).toMatchObject([
      { outcome: 'ok', detail: 'already gone' },
    ]);
  });
});
