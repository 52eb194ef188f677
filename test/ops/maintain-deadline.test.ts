import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type DeployResult, deployOperation } from '../../lib/ops/deploy/index.js';
import { type MaintainResult, maintainOperation } from '../../lib/ops/maintain/index.js';
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

const maintain = async (timeoutMs?: number) =>
  (
    await runOp<MaintainResult>(
      t,
      maintainOperation,
      { env: 'droponly' },
      {
        env: MANIFEST,
        ...(timeoutMs ? { timeoutMs } : {}),
      },
    )
  ).report;

describe('maintain within a deadline', () => {
  it('answers in_progress while a re-created droplet boots, and the next run finishes', async () => {
    const deployed = await runOp<DeployResult>(t, deployOperation, { env: 'droponly' }, { env: MANIFEST });
    expect(deployed.report.status).toBe('succeeded');
    const listed = await t.dots.v2.droplets.get({ queryParameters: { tagName: 'base2-droponly' } });
    await t.dots.v2.droplets.byDroplet_id(listed!.droplets![0]!.id!).delete();
    await t.untilDropletsGone({ ids: [listed!.droplets![0]!.id!] });
    // A droplet boot of 35 s now takes 7 s: longer than the 1.5 s this run may take.
    await t.admin('POST', '/_emulator/clock', { time_scale: 5 });

    const first = await maintain(1500);
    expect(first.status).toBe('in_progress');
    expect(first.result.repaired.map((s) => `${s.action} ${s.kind}`)).toEqual(['create droplet']);
    expect(first.result.progress?.detail).toContain('droplets active');
    expect(maintainOperation.render!(first)).toContain('Run maintain again');

    await t.admin('POST', '/_emulator/clock', { time_scale: 400 });
    const second = await maintain();
    expect(second.status, JSON.stringify(second.result, null, 1)).toMatch(/noop|succeeded/);
    expect(second.result.drift.filter((d) => d.kind === 'droplet')).toEqual([]);
    expect(second.result.health.every((c) => c.ok)).toBe(true);
    const after = await t.dots.v2.droplets.get({ queryParameters: { tagName: 'base2-droponly' } });
    expect(after?.droplets).toHaveLength(2);
  });
});
