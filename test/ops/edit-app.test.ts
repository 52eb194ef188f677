import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { deployOperation } from '../../lib/ops/deploy/index.js';
import { type EditResult, editOperation } from '../../lib/ops/edit/index.js';
import type { OpReport } from '../../lib/ops/types.js';
import { startTestEmulator, type TestEmulator } from '../support/emulator.js';
import { liveVersion, runOp, seedRegistry } from './support.js';

const MANIFEST = { BASE2_MANIFEST: 'test/ops/fixtures/deployment.yml' };
const SLUG = 'base2-apponly';
const ROTATED = 'rotated-secret-value-7c1d2e';
let t: TestEmulator;
const outputs: string[] = [];

beforeAll(async () => {
  t = await startTestEmulator({ timeScale: 400 });
  await seedRegistry(t);
});
afterAll(async () => {
  await t.stop();
});
// Every test starts from a fresh deploy of the app target.
beforeEach(async () => {
  const apps = (await t.dots.v2.apps.get({ queryParameters: { perPage: 200 } }))?.apps ?? [];
  for (const app of apps) await t.dots.v2.apps.byApp_Id(app.id!).delete();
  await t.admin('DELETE', '/_emulator/faults');
  const { report } = await runOp(t, deployOperation, { env: 'apponly' }, { env: MANIFEST });
  expect(report.status).toBe('succeeded');
});

async function edit(input: Record<string, unknown>): Promise<OpReport<EditResult>> {
  const { report, logs } = await runOp<EditResult>(
    t,
    editOperation,
    { env: 'apponly', ...input },
    { env: MANIFEST },
  );
  outputs.push(JSON.stringify(report), ...logs);
  return report;
}

async function app() {
  const apps = (await t.dots.v2.apps.get({ queryParameters: { perPage: 200 } }))?.apps ?? [];
  const found = apps.find((a) => a.spec?.name === SLUG)!;
  const web = found.spec?.services?.[0];
  const envs = (web?.envs ?? []).map((e) => ({ key: e.key, value: e.value, type: e.type }));
  // The user's app-wide variables: the tool's own (owner marker, SECRET digests) aside.
  const appWide = ((found.spec?.additionalData?.envs ?? []) as { key: string; value: string }[])
    .map((e) => e.key)
    .filter((key) => !key.startsWith('BASE2_DO_'));
  return { app: found, web, envs, appWide, live: () => liveVersion(t, found.liveUrl!) };
}
const secretOf = (envs: { key?: string | null; value?: string | null }[]) =>
  envs.find((e) => e.key === 'BASE2_SECRET_KEY')?.value;

describe('edit the app', () => {
  it('scales a component up and back down, each verified through the API', async () => {
    const up = await edit({
      scale: { app: { web: { instance_count: 2, instance_size_slug: 'apps-s-1vcpu-1gb' } } },
    });
    expect(up.status, JSON.stringify(up.result.failure)).toBe('succeeded');
    expect(up.result.checks.every((c) => c.ok)).toBe(true);
    let state = await app();
    expect([state.web?.instanceCount, state.web?.instanceSizeSlug]).toEqual([2, 'apps-s-1vcpu-1gb']);
    expect(state.app.activeDeployment?.spec?.services?.[0]?.instanceCount).toBe(2);

    const down = await edit({ app_instances: 'web=1' });
    expect(down.status, JSON.stringify(down.result.failure)).toBe('succeeded');
    state = await app();
    expect(state.app.activeDeployment?.spec?.services?.[0]?.instanceCount).toBe(1);
  });

  it('a change App Platform refuses fails with its reason and leaves the app as it was', async () => {
    const before = await app();
    const report = await edit({ app_instances: 'web=2' });
    expect(report.status).toBe('failed');
    expect(report.result.failure?.detail).toMatch(/does not support more than one instance/);
    // Asked beforehand (propose), so nothing was sent that would need restoring.
    expect(report.result.failure?.kind).toBe('refused');
    expect(report.result.restore).toBeUndefined();
    expect(report.api_calls.mutating).toBe(0);
    expect((await app()).app.activeDeployment?.id).toBe(before.app.activeDeployment?.id);
  });

  it('sets and unsets GENERAL variables as a patch: the live URL shows them, app-wide envs and the SECRET stay', async () => {
    const before = await app();
    const first = await edit({
      set_env: { BASE2_LOG_LEVEL: 'debug', FEATURE_X: 'on' },
      unset_env: ['BASE2_PUBLIC_URL'],
    });
    expect(first.status, JSON.stringify(first.result.failure)).toBe('succeeded');
    expect(first.result.checks.find((c) => c.name.endsWith('live environment'))?.ok).toBe(true);
    let state = await app();
    let live = await state.live();
    expect(live.env).toMatchObject({ BASE2_LOG_LEVEL: 'debug', FEATURE_X: 'on' });
    expect(live.env).not.toHaveProperty('BASE2_PUBLIC_URL');
    expect(state.appWide).toEqual(['FEATURE_X']);
    expect(secretOf(state.envs)).toBe(secretOf(before.envs));

    const second = await edit({ set_env: '{"BASE2_LOG_LEVEL":"warn"}' });
    expect(second.status).toBe('succeeded');
    state = await app();
    live = await state.live();
    expect(live.env).toMatchObject({ BASE2_LOG_LEVEL: 'warn', FEATURE_X: 'on' });
    expect(state.appWide).toEqual(['FEATURE_X']);
  });

  it('an unchanged SECRET (sent back encrypted) and a value it already has are no change: no call, no redeploy', async () => {
    const before = await app();
    const report = await edit({
      set_env: { BASE2_SECRET_KEY: secretOf(before.envs), BASE2_LOG_LEVEL: 'info' },
    });
    expect(report.status).toBe('noop');
    expect(report.api_calls.mutating).toBe(0);
    expect(report.audit).toEqual([]);
    expect((await app()).app.activeDeployment?.id).toBe(before.app.activeDeployment?.id);
  });

  it('a new SECRET value redeploys, and the value shows nowhere: not live, not in the report or logs', async () => {
    const before = await app();
    const report = await edit({ set_env: { BASE2_SECRET_KEY: { value: ROTATED, type: 'SECRET' } } });
    expect(report.status, JSON.stringify(report.result.failure)).toBe('succeeded');
    const state = await app();
    expect(state.app.activeDeployment?.id).not.toBe(before.app.activeDeployment?.id);
    expect(secretOf(state.envs)).toMatch(/^EV\[/);
    expect(secretOf(state.envs)).not.toBe(secretOf(before.envs));
    const live = await state.live();
    expect(JSON.stringify(live)).not.toContain(ROTATED);
    expect(outputs.join('\n')).not.toContain(ROTATED);
  });

  it('changes the image: the live URL serves the new version', async () => {
    const report = await edit({ image_tag: '1.4.2' });
    expect(report.status, JSON.stringify(report.result.failure)).toBe('succeeded');
    expect((await (await app()).live()).image).toContain('base2:1.4.2');
  });

  it('an edit whose deployment fails is rolled back as a whole: the old version and environment stay live', async () => {
    await t.admin('POST', '/_emulator/faults', { kind: 'build', image: 'base2:bad', phase: 'build' });
    const before = await app();
    const report = await edit({ image_tag: 'bad', set_env: { FEATURE_Y: 'on' } });
    expect(report.status).toBe('failed');
    expect(report.result.failure?.kind).toBe('app');
    expect(report.result.failure?.logs).toBeTruthy();
    expect(report.result.restore?.ok, JSON.stringify(report.result.restore)).toBe(true);
    expect(report.result.restore?.details.join()).toMatch(/^app: the previous spec is back and live/);
    const state = await app();
    const live = await state.live();
    expect(live.image).toContain('base2:latest');
    expect(live.env).not.toHaveProperty('FEATURE_Y');
    expect(state.web?.image?.tag).toBe('latest');
    expect(state.appWide).toEqual([]);
    expect(secretOf(state.envs)).toBe(secretOf(before.envs));
    expect(report.audit.map((a) => `${a.resource} ${a.action} ${a.outcome}`)).toEqual([
      `lock ${SLUG} acquire ok`,
      `app ${SLUG} update ok`,
      `app ${SLUG} update ok`,
      `lock ${SLUG} release ok`,
    ]);
  });

  it('dry run shows the plan and changes nothing', async () => {
    const report = await edit({
      dry_run: true,
      set_env: { BASE2_LOG_LEVEL: 'debug' },
      app_instances: 'web=1',
    });
    expect(report.status).toBe('succeeded');
    expect(report.result.plan_table).toMatch(
      /~ update\s+app\s+base2-apponly\s+services\.web\.envs\.BASE2_LOG_LEVEL: info → debug/,
    );
    expect(report.api_calls.mutating).toBe(0);
  });

  it('refuses a change set that does not fit the app, naming the path, before any change', async () => {
    const error = await edit({
      scale: { app: { api: 2 } },
      set_env: { X: { value: '1', component: 'worker' } },
    }).catch((e: unknown) => e);
    expect((error as Error).message).toBe(
      'The change set is invalid: scale.app.api: there is no component named api (the app has web); set_env.X.component: there is no component named worker (the app has web).',
    );
    const before = (await t.requests()).length;
    await expect(edit({ droplet_count: 'many' })).rejects.toThrow(/droplet_count: must be a whole number/);
    await expect(edit({ env: 'apponly', droplet_count: 2 })).rejects.toThrow(
      /scale\.droplets: the deployment has no droplets section/,
    );
    expect((await t.requests()).slice(before)).toEqual([]);
  });
});
