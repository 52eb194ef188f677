/**
 * A deploy that lowers droplets.count takes the droplets that go out of DNS before deleting them,
 * so no record points at a deleted droplet while the rest of the deploy (an app build) runs.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type DeployResult, deployOperation } from '../../lib/ops/deploy/index.js';
import { tempProject } from '../config/temp-project.js';
import { startTestEmulator, type TestEmulator } from '../support/emulator.js';
import { dropletsManifest, runOp, seedRegistry } from './support.js';

const SLUG = 'base2-scale';
const DOMAIN = 'scale.base2.example.com';

const manifest = (count: number) => dropletsManifest('scale', count, DOMAIN);

let t: TestEmulator;
let file: string;
beforeAll(async () => {
  t = await startTestEmulator({ timeScale: 400 });
  await seedRegistry(t);
  file = join(tempProject({}), 'deployment.yml');
});
afterAll(async () => {
  await t.stop();
});

async function deploy(count: number) {
  writeFileSync(file, manifest(count));
  return (await runOp<DeployResult>(t, deployOperation, { env: 'scale' }, { env: { BASE2_MANIFEST: file } }))
    .report;
}
const apex = async () =>
  (
    (await t.dots.v2.domains.byDomain_name(DOMAIN).records.get({ queryParameters: { perPage: 200 } }))
      ?.domainRecords ?? []
  )
    .filter((r) => r.type === 'A' && r.name === '@')
    .map((r) => r.data)
    .sort();
const addresses = async () =>
  ((await t.dots.v2.droplets.get({ queryParameters: { tagName: SLUG, perPage: 200 } }))?.droplets ?? [])
    .map((d) => d.networks?.v4?.find((n) => n.type === 'public')?.ipAddress ?? '')
    .sort();

it('a scale-down takes the droplets that go out of DNS first, then deletes them', async () => {
  expect((await deploy(3)).status).toBe('succeeded');
  expect(await apex()).toEqual(await addresses());
  expect(await apex()).toHaveLength(3);

  await t.admin('DELETE', '/_emulator/requests');
  const report = await deploy(1);
  expect(report.status, JSON.stringify(report.result.failure)).toBe('succeeded');
  expect(await apex()).toEqual(await addresses());
  expect(await apex()).toHaveLength(1);
  const writes = (await t.requests()).filter((r) => r.method !== 'GET').map((r) => `${r.method} ${r.path}`);
  const lastDns = writes.findLastIndex((w) => w.includes('/records'));
  const firstDelete = writes.findIndex((w) => /^DELETE \/v2\/droplets\/\d+$/.test(w));
  expect(firstDelete, writes.join('\n')).toBeGreaterThan(lastDns);

  expect((await deploy(1)).status).toBe('noop');
});
