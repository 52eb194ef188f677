import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { holderName, lockPublicKey } from '../../lib/lock/index.js';
import { type DeployResult, deployOperation } from '../../lib/ops/deploy/index.js';
import { type StatusResult, statusOperation } from '../../lib/ops/status/index.js';
import { startTestEmulator, type TestEmulator } from '../support/emulator.js';
import { runOp, seedRegistry } from './support.js';

const MANIFEST = { BASE2_MANIFEST: 'test/ops/fixtures/deployment.yml' };
let t: TestEmulator;

beforeEach(async () => {
  t = await startTestEmulator({ timeScale: 400 });
  await seedRegistry(t);
});
afterEach(async () => {
  await t.stop();
});

const status = async (env: string) =>
  (await runOp<StatusResult>(t, statusOperation, { env }, { env: MANIFEST })).report;

async function deploy(env: string) {
  const { report } = await runOp<DeployResult>(t, deployOperation, { env }, { env: MANIFEST });
  expect(report.status, JSON.stringify(report.result.failure)).toBe('succeeded');
}

describe('status', () => {
  it('says a deployment that does not exist is not deployed, in a few reads', async () => {
    const report = await status('staging');
    expect(report.status).toBe('succeeded');
    expect(report.result.state).toBe('not deployed');
    expect(report.result.app).toEqual({ exists: false });
    expect(report.result.droplets).toMatchObject({ total: 0 });
    expect(report.api_calls.total).toBeLessThanOrEqual(4);
  });

  it('reports a steady deployment: active app deployment, live URL, droplets by status, lock free', async () => {
    await deploy('staging');
    await t.admin('DELETE', '/_emulator/requests');
    const report = await status('staging');
    expect(report.result.state).toBe('steady');
    expect(report.result.app).toMatchObject({ exists: true, live_url: expect.stringContaining('https://') });
    expect(report.result.app?.active_deployment).toBeTruthy();
    expect(report.result.droplets).toMatchObject({ total: 2, by_status: { active: 2 }, generations: 1 });
    expect(report.result.lock).toEqual({ held: false });
    const requests = await t.requests();
    expect(requests.every((r) => r.method === 'GET')).toBe(true);
    expect(requests.length).toBeLessThanOrEqual(4);
    expect(report.api_calls).toMatchObject({ mutating: 0 });
    expect(statusOperation.render!(report)).toContain('lock: free');
  });

  it("shows an in-progress app deployment's phase and progress, and who holds the lock", async () => {
    await deploy('apponly');
    // A slow DigitalOcean: the deployment stays in its phases long enough to be seen.
    await t.admin('POST', '/_emulator/clock', { time_scale: 1 });
    const apps = await t.dots.v2.apps.get({ queryParameters: { perPage: 200 } });
    const app = apps?.apps?.find((a) => a.spec?.name === 'base2-apponly');
    await t.dots.v2.apps.byApp_Id(app!.id!).deployments.post({ forceBuild: true });
    // A deploy holds the deployment, as lib/lock writes it.
    const holder = { op: 'deploy', holder: '0badc0de', since: Date.now(), until: Date.now() + 120_000 };
    const name = holderName('base2-apponly', holder);
    await t.dots.v2.account.keys.post({ name, publicKey: lockPublicKey('base2-apponly') });
    await t.admin('DELETE', '/_emulator/requests');

    const report = await status('apponly');
    const progress = report.result.app?.in_progress;
    expect(progress?.phase).toMatch(/PENDING_BUILD|BUILDING|PENDING_DEPLOY|DEPLOYING/);
    expect(progress?.steps_total).toBeGreaterThan(0);
    expect(progress?.steps_done).toBeLessThan(progress?.steps_total ?? 0);
    expect(report.result.lock).toMatchObject({ held: true, name, op: 'deploy', expired: false });
    expect(report.result.state).toContain('locked by deploy');
    expect(report.result.state).toContain(`app deployment ${progress?.id} ${progress?.phase}`);
    expect(report.result.droplets).toBeUndefined();
    expect((await t.requests()).length).toBeLessThanOrEqual(4);
    const text = statusOperation.render!(report);
    expect(text).toContain(`${progress?.steps_done}/${progress?.steps_total} steps`);
  });
});
