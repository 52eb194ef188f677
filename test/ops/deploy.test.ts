import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DeployResult } from '../../lib/ops/deploy/index.js';
import { deployOperation } from '../../lib/ops/deploy/index.js';
import { infoOperation } from '../../lib/ops/info/index.js';
import { startTestEmulator, type TestEmulator } from '../support/emulator.js';
import { liveVersion, runOp, seedRegistry } from './support.js';

const MANIFEST = { BASE2_MANIFEST: 'test/ops/fixtures/deployment.yml' };
let t: TestEmulator;

beforeEach(async () => {
  t = await startTestEmulator({ timeScale: 400 });
  await seedRegistry(t);
});
afterEach(async () => {
  await t.stop();
});

const deploy = (input: Record<string, unknown>, options: { timeoutMs?: number } = {}) =>
  runOp<DeployResult>(t, deployOperation, input, { env: MANIFEST, ...options });

async function appLiveUrl(slug: string): Promise<string> {
  const { report } = await runOp<{ apps: { name: string; live_url: string }[] }>(
    t,
    infoOperation,
    { scope: 'account' },
    { env: MANIFEST },
  );
  const app = report.result.apps.find((a) => a.name === slug);
  if (!app?.live_url) throw new Error(`no live URL for ${slug}`);
  return app.live_url;
}

describe('deploy', () => {
  it('deploys the app target and verifies the live URL shows the deployed version', async () => {
    const { report } = await deploy({ env: 'apponly' });
    expect(report.status, JSON.stringify(report.result.failure)).toBe('succeeded');
    expect(report.result.checks.every((c) => c.ok)).toBe(true);
    const live = await liveVersion(t, await appLiveUrl('base2-apponly'));
    expect(live.image).toContain('base2:latest');
  });

  it('deploys the droplet target: droplets active, health URLs answering, DNS pointing at them', async () => {
    const { report } = await deploy({ env: 'droponly' });
    expect(report.status, JSON.stringify(report.result.failure)).toBe('succeeded');
    const kinds = new Set(report.result.applied.map((a) => a.kind));
    expect([...kinds]).toEqual(expect.arrayContaining(['ssh_key', 'droplet', 'firewall']));
    expect(kinds.has('app')).toBe(false);
    expect(report.result.applied.filter((a) => a.kind === 'droplet' && a.action === 'create')).toHaveLength(
      2,
    );
    expect(report.result.checks.filter((c) => c.kind === 'droplet').every((c) => c.ok)).toBe(true);
  });

  it('deploys both targets, and a second deploy is a no-op with zero mutating calls', async () => {
    const first = await deploy({ env: 'staging' });
    expect(first.report.status, JSON.stringify(first.report.result.failure)).toBe('succeeded');
    expect(first.report.audit.length).toBeGreaterThan(0);
    const second = await deploy({ env: 'staging' });
    expect(second.report.status).toBe('noop');
    expect(second.report.api_calls.mutating).toBe(0);
    expect(second.report.audit).toHaveLength(0);
  });

  it('dry run shows the plan and changes nothing', async () => {
    const { report } = await deploy({ env: 'staging', dry_run: true });
    expect(report.result.plan.length).toBeGreaterThan(0);
    expect(report.result.plan_table).toMatch(/\+ create/);
    expect(report.api_calls.mutating).toBe(0);
  });

  it('an image tag change deploys the new version and the live URL shows it', async () => {
    await deploy({ env: 'apponly' });
    const { report } = await deploy({ env: 'apponly', image_tag: '1.4.2' });
    expect(report.status, JSON.stringify(report.result.failure)).toBe('succeeded');
    const live = await liveVersion(t, await appLiveUrl('base2-apponly'));
    expect(live.image).toContain('base2:1.4.2');
  });

  it('a failing build returns a clear failure with the log tail, and the old version stays live', async () => {
    await deploy({ env: 'apponly' });
    await t.admin('POST', '/_emulator/faults', { kind: 'build', image: 'base2:bad', phase: 'build' });
    const { report } = await deploy({ env: 'apponly', image_tag: 'bad' });
    expect(report.status).toBe('failed');
    expect(report.result.failure?.kind).toBe('app');
    expect(report.result.failure?.detail).toBeTruthy();
    expect(report.result.failure?.logs).toBeTruthy();
    const live = await liveVersion(t, await appLiveUrl('base2-apponly'));
    expect(live.image).toContain('base2:latest');
  });

  it('survives a 429 storm and a burst of 5xx on reads', async () => {
    await t.admin('POST', '/_emulator/faults', [
      { method: 'GET', path: '/v2/droplets', mode: 'error', status: 429, count: 3 },
      { method: 'GET', path: '/v2/apps/**', mode: 'error', status: 503, count: 3 },
    ]);
    const { report } = await deploy({ env: 'staging' });
    expect(report.status, JSON.stringify(report.result.failure)).toBe('succeeded');
    expect(report.api_calls.retries).toBeGreaterThan(0);
  });

  it('"commit then fail" on droplet create and app create leaves exactly one of each', async () => {
    await t.admin('POST', '/_emulator/faults', [
      { method: 'POST', path: '/v2/droplets', mode: 'commit-then-error', status: 500, count: 1 },
      { method: 'POST', path: '/v2/apps', mode: 'commit-then-drop', count: 1 },
    ]);
    const { report } = await deploy({ env: 'staging' });
    expect(report.status, JSON.stringify(report.result.failure)).toBe('succeeded');
    const state = (await t.admin('GET', '/_emulator/state')) as Record<string, unknown>;
    const droplets = await t.dots.v2.droplets.get({
      queryParameters: { tagName: 'base2-staging', perPage: 200 },
    });
    const names = (droplets?.droplets ?? []).map((d) => d.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toHaveLength(2);
    const apps = await t.dots.v2.apps.get({ queryParameters: { perPage: 200 } });
    expect((apps?.apps ?? []).filter((a) => a.spec?.name === 'base2-staging')).toHaveLength(1);
    expect(state).toBeTruthy();
  });

  it('returns in_progress when the deadline runs out, and the next call finishes', async () => {
    await t.admin('POST', '/_emulator/clock', { time_scale: 20 });
    const first = await deploy({ env: 'apponly' }, { timeoutMs: 1500 });
    expect(first.report.status).toBe('in_progress');
    expect(first.report.result.progress?.detail).toBeTruthy();
    await t.admin('POST', '/_emulator/clock', { time_scale: 400 });
    const second = await deploy({ env: 'apponly', resume: first.report.result.resume });
    expect(second.report.status, JSON.stringify(second.report.result.failure)).toMatch(/succeeded|noop/);
    expect(
      (await t.dots.v2.account.keys.get())?.sshKeys ?? [],
      'the lock kept between calls is released',
    ).toEqual([]);
    const apps = await t.dots.v2.apps.get({ queryParameters: { perPage: 200 } });
    expect((apps?.apps ?? []).filter((a) => a.spec?.name === 'base2-apponly')).toHaveLength(1);
  });
});
