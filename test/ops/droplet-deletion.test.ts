/**
 * Deleting a droplet is asynchronous on DigitalOcean (and on the emulator): after the 204 it stays
 * listed, still `active`, until DigitalOcean has finished. Teardown, edit and deploy wait until it
 * is gone before they verify, answer `in_progress` when their deadline comes first (the next call
 * finishes), and a restore never takes a droplet being deleted for one that serves.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type DeployResult, deployOperation } from '../../lib/ops/deploy/index.js';
import { type EditResult, editOperation } from '../../lib/ops/edit/index.js';
import { type MaintainResult, maintainOperation } from '../../lib/ops/maintain/index.js';
import { type TeardownResult, teardownOperation } from '../../lib/ops/teardown/index.js';
import type { OpReport } from '../../lib/ops/types.js';
import { tempProject } from '../config/temp-project.js';
import { startTestEmulator, type TestEmulator } from '../support/emulator.js';
import { dropletsManifest, runOp, seedRegistry } from './support.js';

const SLUG = 'base2-going';
const DOMAIN = 'going.base2.example.com';

const manifest = (count: number) => dropletsManifest('going', count, DOMAIN);

/** An emulator at the tests' pace, and the deployment deployed fresh on it. */
async function fresh(t: TestEmulator): Promise<void> {
  await t.admin('DELETE', '/_emulator/faults');
  await t.dots.v2.droplets.delete({ queryParameters: { tagName: SLUG } }).catch(() => undefined);
  await t.admin('POST', '/_emulator/clock', { advance_ms: 10 * HOUR });
  await t.untilDropletsGone({ tag: SLUG });
  const deployed = await deploy(t);
  expect(deployed.status, JSON.stringify(deployed.result.failure)).toBe('succeeded');
}

let file: string;
const HOUR = 3_600_000;
beforeAll(() => {
  file = join(tempProject({}), 'deployment.yml');
  writeFileSync(file, manifest(3));
});

const options = (timeoutMs?: number) => ({
  env: { BASE2_MANIFEST: file },
  // A probe of a droplet whose host firewall still drops traffic (cloud-init mid-way) waits out its
  // timeout in real time, while cloud-init runs 400 times faster: keep that wait short.
  tuning: { probeTimeoutMs: 500 },
  ...(timeoutMs ? { timeoutMs } : {}),
});
const deploy = async (t: TestEmulator, input: Record<string, unknown> = {}, timeoutMs?: number) =>
  (await runOp<DeployResult>(t, deployOperation, { env: 'going', ...input }, options(timeoutMs))).report;
const edit = async (t: TestEmulator, input: Record<string, unknown>, timeoutMs?: number) =>
  (await runOp<EditResult>(t, editOperation, { env: 'going', ...input }, options(timeoutMs))).report;
const maintain = async (t: TestEmulator, timeoutMs?: number) =>
  (await runOp<MaintainResult>(t, maintainOperation, { env: 'going' }, options(timeoutMs))).report;
const teardown = async (t: TestEmulator, input: Record<string, unknown>, timeoutMs?: number) =>
  (await runOp<TeardownResult>(t, teardownOperation, { env: 'going', ...input }, options(timeoutMs))).report;

/** The deployment's droplets as DigitalOcean lists them. */
async function listed(t: TestEmulator): Promise<{ name: string; id: number; status: string }[]> {
  const r = await t.dots.v2.droplets.get({ queryParameters: { tagName: SLUG, perPage: 200 } });
  return (r?.droplets ?? []).map((d) => ({ name: d.name!, id: d.id!, status: String(d.status) }));
}
const ok = (report: OpReport<{ failure?: unknown }>) =>
  expect(report.status, JSON.stringify(report.result.failure)).toBe('succeeded');

describe('deleting droplets, which DigitalOcean does asynchronously', () => {
  let t: TestEmulator;
  beforeAll(async () => {
    t = await startTestEmulator({ timeScale: 400, dropletLimit: 10 });
    await seedRegistry(t);
  });
  afterAll(async () => {
    await t.stop();
  });
  beforeEach(() => fresh(t));

  it('teardown waits until DigitalOcean no longer lists the droplets, then verifies nothing remains', async () => {
    const report = await teardown(t, {});
    ok(report);
    expect(report.result.remaining).toEqual([]);
    expect(await listed(t)).toEqual([]);
  });

  it('a failed edit’s restore creates the droplet it scaled down anew, never trusting the one being deleted', async () => {
    const before = await listed(t);
    const third = before.find((d) => d.name.endsWith('-3'))!;
    // The record part of the edit is refused; its scale-down has deleted droplet 3 meanwhile.
    await t.admin('POST', '/_emulator/faults', {
      method: 'POST',
      path: `/v2/domains/${DOMAIN}/records`,
      mode: 'error',
      status: 422,
      count: 1,
    });
    const report = await edit(t, {
      droplet_count: 2,
      records: { add: [{ type: 'TXT', name: 'note', data: 'x' }] },
    });
    expect(report.status).toBe('failed');
    expect(report.result.restore?.ok, JSON.stringify(report.result.restore)).toBe(true);
    const after = await listed(t);
    expect(after.map((d) => d.name).sort()).toEqual(before.map((d) => d.name).sort());
    const remade = after.find((d) => d.name === third.name)!;
    expect(remade.id).not.toBe(third.id);
    expect(after.every((d) => d.status === 'active')).toBe(true);
  });

  it('a deploy retires the old generation and waits until it is gone: the next deploy changes nothing', async () => {
    ok(await deploy(t, { image_tag: '1.4.2' }));
    const names = (await listed(t)).map((d) => d.name);
    expect(names).toHaveLength(3);
    expect(new Set(names.map((n) => n.split('-')[2])).size).toBe(1);
    const again = await deploy(t, { image_tag: '1.4.2' });
    expect(again.status).toBe('noop');
    expect(again.api_calls.mutating).toBe(0);
  });
});

describe('when DigitalOcean takes longer to delete than the call may wait', () => {
  let t: TestEmulator;
  beforeAll(async () => {
    // Ten hours to delete (90 s of real time here): every call's deadline comes first.
    t = await startTestEmulator({ timeScale: 400, dropletLimit: 10, timing: { dropletDeleteMs: 10 * HOUR } });
    await seedRegistry(t);
  });
  afterAll(async () => {
    await t.stop();
  });
  const now = async () => ((await t.admin('GET', '/_emulator/clock')) as { now_ms: number }).now_ms;
  let started = 0;
  beforeEach(async () => {
    await fresh(t);
    started = await now();
  });
  /**
   * DigitalOcean is some ten minutes of its time (a second or two here) from finishing what it began
   * deleting after `started`: the next call finds the droplets still listed, deletes them again and
   * waits for them.
   */
  const almost = async () =>
    t.admin('POST', '/_emulator/clock', { advance_ms: started + 10 * HOUR - 600_000 - (await now()) });

  it('teardown answers in_progress, not failed, and the next call finishes and verifies', async () => {
    const first = await teardown(t, {}, 3_000);
    expect(first.status, JSON.stringify(first.result)).toBe('in_progress');
    expect(first.result.failure).toBeUndefined();
    expect(first.result.progress?.phase).toBe('waiting for DigitalOcean to delete droplets');
    expect(first.result.progress?.detail).toMatch(/base2-going-[0-9a-f]{6}-1/);
    expect(teardownOperation.render!(first)).toContain('Still waiting for DigitalOcean to delete droplets');
    // Still listed, and still `active`, as DigitalOcean shows a droplet it is deleting.
    expect((await listed(t)).map((d) => d.status)).toEqual(['active', 'active', 'active']);

    await almost();
    const second = await teardown(t, { resume: first.result.resume });
    ok(second);
    expect(second.result.remaining).toEqual([]);
    expect(await listed(t)).toEqual([]);
    expect((await teardown(t, {})).status).toBe('noop');
  });

  it('an edit’s scale-down answers in_progress, and the same edit again finishes it verified', async () => {
    const first = await edit(t, { droplet_count: 1 }, 3_000);
    expect(first.status, JSON.stringify(first.result)).toBe('in_progress');
    expect(first.result.progress?.phase).toBe('waiting for DigitalOcean to delete droplets');
    expect(first.result.restore).toBeUndefined();

    await almost();
    const second = await edit(t, { droplet_count: 1, resume: first.result.resume });
    ok(second);
    expect((await listed(t)).map((d) => d.name)).toEqual([expect.stringMatching(/-1$/)]);
    expect(second.result.checks.every((c) => c.ok)).toBe(true);
  });

  it('a restore whose deletes outlast the deadline leaves droplets that no later operation counts as serving', async () => {
    const before = (await listed(t)).map((d) => d.name).sort();
    // The record part of the edit is refused, so the new generation it made is deleted again.
    await t.admin('POST', '/_emulator/faults', {
      method: 'POST',
      path: `/v2/domains/${DOMAIN}/records`,
      mode: 'error',
      status: 422,
      count: 1,
    });
    // Time for two generations' boots and first boots (the restore's included) on a loaded
    // machine, and still far short of the deletes' ten hours (90 s here).
    const failed = await edit(
      t,
      { image_tag: '1.4.2', records: { add: [{ type: 'TXT', name: 'n', data: 'x' }] } },
      10_000,
    );
    expect(failed.status).toBe('failed');
    expect(failed.result.restore?.ok, JSON.stringify(failed.result.restore)).toBe(true);
    // DigitalOcean still lists the new generation, `active`: six droplets, three of them going.
    expect((await listed(t)).map((d) => d.status)).toEqual(Array(6).fill('active'));

    const cut = await maintain(t, 3_000);
    expect(cut.status, JSON.stringify(cut.result)).toBe('in_progress');
    expect(cut.result.health.every((c) => c.ok)).toBe(true);
    expect(cut.result.drift.map((d) => `${d.action} ${d.treatment}`)).toEqual(Array(3).fill('delete repair'));
    expect(cut.result.repaired.every((s) => s.action === 'delete' && s.outcome === 'ok')).toBe(true);

    await t.admin('POST', '/_emulator/clock', { advance_ms: 10 * HOUR });
    expect((await listed(t)).map((d) => d.name).sort()).toEqual(before);
    const quiet = await maintain(t);
    expect(quiet.status, JSON.stringify(quiet.result)).toBe('noop');
  });

  it('a deploy whose new generation is verified answers in_progress while the old one is deleted; the next call finishes', async () => {
    const first = await deploy(t, { image_tag: '1.4.2' }, 5_000);
    expect(first.status, JSON.stringify(first.result)).toBe('in_progress');
    expect(first.result.checks.every((c) => c.ok)).toBe(true);
    expect(first.result.progress?.phase).toBe('waiting for DigitalOcean to delete droplets');
    expect(await listed(t)).toHaveLength(6);

    await almost();
    const second = await deploy(t, { image_tag: '1.4.2', resume: first.result.resume });
    ok(second);
    expect(await listed(t)).toHaveLength(3);
    expect((await deploy(t, { image_tag: '1.4.2' })).status).toBe('noop');
  });
});
