/**
 * The live-URL check when a deployment becomes active between reading the app and asking its URL:
 * the app is read once more, and the check holds against the deployment active now.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type DeployResult, deployOperation } from '../../lib/ops/deploy/index.js';
import { findApp } from '../../lib/resources/app/read.js';
import { liveCheck } from '../../lib/resources/app/verify.js';
import { runOp, seedRegistry } from '../ops/support.js';
import { startTestEmulator, type TestEmulator } from '../support/emulator.js';
import { type TestContext, testContext } from '../support/op-context.js';

let t: TestEmulator;
let tc: TestContext;
beforeAll(async () => {
  t = await startTestEmulator({ timeScale: 400 });
  await seedRegistry(t);
  tc = testContext(t);
});
afterAll(async () => {
  await tc?.close();
  await t?.stop();
});

it('a deployment that became active after the app was read is checked as the active one', async () => {
  const env = { BASE2_MANIFEST: 'test/ops/fixtures/deployment.yml' };
  const { report } = await runOp<DeployResult>(t, deployOperation, { env: 'apponly' }, { env });
  expect(report.status).toBe('succeeded');
  const stale = (await findApp(tc.ctx, 'base2-apponly'))!;
  const redeploy = await t.dots.v2.apps.byApp_Id(stale.id).deployments.post({});
  const next = redeploy?.deployment?.id;
  for (let i = 0; i < 200 && (await findApp(tc.ctx, 'base2-apponly'))?.active?.id !== next; i++) {
    await t.admin('POST', '/_emulator/clock', { advance_ms: 30_000 });
  }
  expect((await findApp(tc.ctx, 'base2-apponly'))?.active?.id).toBe(next);

  const desired = { spec: stale.active!.spec ?? stale.spec, verify: { path: '/', expect_status: 200 } };
  const check = await liveCheck(tc.ctx, stale, desired);
  expect(check.ok, check.detail).toBe(true);
  expect(check.detail).toContain(`from deployment ${next}`);
});
