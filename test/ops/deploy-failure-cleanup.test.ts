/**
 * A deploy that fails in one branch of its parallel phase (the app refused) still knows, and
 * removes, the droplets the other branch created meanwhile: nothing billed is left behind.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { OWNER_TAG } from '../../lib/config/identity.js';
import { type DeployResult, deployOperation } from '../../lib/ops/deploy/index.js';
import { startTestEmulator, type TestEmulator } from '../support/emulator.js';
import { runOp, seedRegistry } from './support.js';

const MANIFEST = { BASE2_MANIFEST: 'test/ops/fixtures/deployment.yml' };
let t: TestEmulator;
beforeAll(async () => {
  t = await startTestEmulator({ timeScale: 400 });
  await seedRegistry(t);
});
afterAll(async () => {
  await t.stop();
});

const owned = async () =>
  (
    (await t.dots.v2.droplets.get({ queryParameters: { tagName: 'base2-staging', perPage: 200 } }))
      ?.droplets ?? []
  )
    .filter((d) => d.tags?.includes(OWNER_TAG))
    .map((d) => d.name);

it('an app create refused beside a droplet create: the droplets made meanwhile are removed', async () => {
  await t.admin('POST', '/_emulator/faults', {
    method: 'POST',
    path: '/v2/apps',
    mode: 'error',
    status: 422,
    count: 1,
    body: { id: 'unprocessable_entity', message: 'the app spec is refused' },
  });
  // The droplet create answers after the app's refusal.
  await t.admin('POST', '/_emulator/faults', {
    method: 'POST',
    path: '/v2/droplets',
    mode: 'latency',
    latency_ms: 60_000,
    count: 1,
  });
  const { report } = await runOp<DeployResult>(t, deployOperation, { env: 'staging' }, { env: MANIFEST });
  expect(report.status).toBe('failed');
  expect(report.result.failure?.detail).toMatch(/refused/);
  expect(report.result.applied.filter((a) => a.kind === 'droplet' && a.action === 'create')).toHaveLength(2);
  expect(report.result.failure?.cleanup).toMatch(/^removed the droplets this attempt created/);
  expect(await owned()).toEqual([]);
});
