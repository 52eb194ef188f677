import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { secretValuesOf } from '../../lib/config/app-spec.js';
import type { Deployment } from '../../lib/config/manifest.js';
import { type AppDesired, appModule, withImage } from '../../lib/resources/app/index.js';
import type { AppliedStep, Readiness } from '../../lib/resources/types.js';
import { waitFor } from '../../lib/resources/wait.js';
import { startTestEmulator, type TestEmulator } from '../support/emulator.js';
import { type TestContext, testContext } from '../support/op-context.js';

/** The sample spec's SECRET value (set here so the test knows what must never show). */
const SECRET = 'app-test-secret-do-not-print-7f3a';

let t: TestEmulator;
let tc: TestContext;

beforeAll(async () => {
  t = await startTestEmulator();
  tc = testContext(t, { env: { BASE2_SECRET_KEY: SECRET } });
  await t.dots.v2.registry.post({ name: 'base2-tests', subscriptionTierSlug: 'basic', region: 'nyc3' });
  for (const tag of ['v1', 'v2'])
    await t.admin('POST', '/_emulator/registry/images', { repository: 'base2', tag });
});

afterAll(async () => {
  await tc?.close();
  await t?.stop();
});

/** The staging deployment at `tag`, as the orchestrator hands it over (override applied, secrets registered). */
function staging(tag: string): Deployment {
  const deployment = tc.deployment('staging');
  const app = deployment.app!;
  tc.ctx.log.redactor.addAll(secretValuesOf(app.spec));
  return { ...deployment, app: { ...app, spec: withImage(app.spec, { tag, repository: 'base2' }) } };
}

interface Converged {
  plan: ReturnType<typeof appModule.plan>;
  applied: AppliedStep[];
  settled: Readiness;
  desired: AppDesired;
}

/** What deploy does for the app: read, plan, apply, wait for it to settle. */
async function converge(deployment: Deployment): Promise<Converged> {
  const desired = appModule.desired(deployment, { dropletIpv4: [] })!;
  const actual = await appModule.read(tc.ctx, deployment);
  const plan = appModule.plan(desired, actual);
  const applied = await appModule.apply(
    tc.ctx,
    deployment,
    plan.filter((step) => step.action !== 'noop'),
  );
  const settled = await waitFor(tc.ctx, 'app', () => appModule.readiness!(tc.ctx, deployment, desired));
  return { plan, applied, settled, desired };
}

async function live(deployment: Deployment): Promise<{ image: string; deployment_id: string }> {
  const { app } = await appModule.read(tc.ctx, deployment);
  return (await (await t.fetch(app!.liveUrl!)).json()) as never;
}

describe('the app on App Platform', () => {
  it('is created, followed until live, and verified: the live URL shows the tag', async () => {
    const deployment = staging('v1');
    const { plan, applied, settled, desired } = await converge(deployment);
    expect(plan).toMatchObject([{ kind: 'app', action: 'create', name: 'base2-staging', reason: 'missing' }]);
    expect(applied).toMatchObject([
      { action: 'create', outcome: 'ok', detail: expect.stringMatching(/^started deployment /) },
    ]);
    expect(settled).toEqual({ state: 'ready' });
    expect(tc.progress.some((p) => /BUILDING \d+\/\d+ steps/.test(p.detail ?? ''))).toBe(true);

    const checks = await appModule.verify(tc.ctx, deployment, desired);
    // Deployment, live URL, and the host deployment.yml's CNAME points at the app (its zone is not
    // in this account: the emulator takes DNS it cannot see as pointing at the app).
    expect(checks.map((c) => c.ok)).toEqual([true, true, true]);
    expect(checks[1]!.detail).toContain('base2:v1');
    expect(checks[2]).toMatchObject({ name: 'base2-staging at app.staging.base2.example.com' });
    expect(checks[2]!.detail).toContain('base2:v1');
    expect((await live(deployment)).image).toBe('base2:v1');
    const facts = appModule.facts!(await appModule.read(tc.ctx, deployment));
    expect(facts.appHost).toMatch(/^base2-staging-[a-z0-9]+\.ondigitalocean\.app$/);
    expect(tc.ctx.audit.records()).toMatchObject([
      { resource: 'app base2-staging', action: 'create', outcome: 'ok' },
    ]);
  });

  it('plans nothing on the second deploy and makes no mutating call, its SECRET env included', async () => {
    const deployment = staging('v1');
    expect(deployment.app!.spec.services![0]!.envs!.some((e) => e.type === 'SECRET')).toBe(true);
    await t.admin('DELETE', '/_emulator/requests');
    const { plan, applied, settled, desired } = await converge(deployment);
    expect(plan).toMatchObject([{ action: 'noop', reason: 'up to date' }]);
    expect(applied).toEqual([]);
    expect(settled).toEqual({ state: 'ready' });
    expect((await appModule.verify(tc.ctx, deployment, desired)).every((c) => c.ok)).toBe(true);
    const requests = await t.requests();
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.filter((r) => r.method !== 'GET')).toEqual([]);
  });

  it('updates the app for a new image tag and the new version goes live', async () => {
    const before = await live(staging('v1'));
    const deployment = staging('v2');
    const { plan, applied, settled, desired } = await converge(deployment);
    expect(plan).toMatchObject([{ action: 'update', reason: 'spec: services.web.image.tag: v1 → v2' }]);
    expect(applied).toMatchObject([{ action: 'update', outcome: 'ok' }]);
    expect(settled).toEqual({ state: 'ready' });
    expect((await appModule.verify(tc.ctx, deployment, desired)).every((c) => c.ok)).toBe(true);
    const after = await live(deployment);
    expect(after.image).toBe('base2:v2');
    expect(after.deployment_id).not.toBe(before.deployment_id);
  });

  it('fails a broken build with its step, message and log tail, while the old version stays live', async () => {
    await t.admin('POST', '/_emulator/faults', { kind: 'build', image: 'base2:bad', phase: 'build' });
    const deployment = staging('bad');
    const { applied, settled, desired } = await converge(deployment);
    expect(applied).toMatchObject([{ action: 'update', outcome: 'ok' }]);
    expect(settled.state).toBe('failed');
    const failure = settled as Extract<Readiness, { state: 'failed' }>;
    expect(failure.detail).toContain('at step "build › components › web"');
    expect(failure.detail).toContain('BuildJobFailed');
    expect(failure.detail).toMatch(/The previously active deployment \S+ stays live\./);
    expect(failure.logs).toContain('✘ build failed');
    expect(failure.logs!.split('\n').length).toBeLessThanOrEqual(40);
    expect((await live(deployment)).image).toBe('base2:v2');

    const checks = await appModule.verify(tc.ctx, deployment, desired);
    expect(checks[0]).toMatchObject({ ok: false, detail: expect.stringContaining('runs another spec') });
    // Calling deploy again retries the spec rather than calling it done.
    const again = appModule.plan(desired, await appModule.read(tc.ctx, deployment));
    expect(again).toMatchObject([{ action: 'update', payload: { redeploy: true } }]);
  });

  it('never lets a SECRET value reach a log line, an audit record or a result', async () => {
    const everything = JSON.stringify([tc.logs, tc.ctx.audit.records(), tc.progress]);
    expect(everything).not.toContain(SECRET);
    const state = JSON.stringify(await appModule.read(tc.ctx, staging('v2')));
    expect(state).not.toContain(SECRET);
  });
});
