import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { holderName, lockPublicKey } from '../../lib/lock/index.js';
import { type DeployResult, deployOperation } from '../../lib/ops/deploy/index.js';
import type { OpReport } from '../../lib/ops/types.js';
import { runOp, seedRegistry } from '../ops/support.js';
import { startTestEmulator, type TestEmulator } from '../support/emulator.js';

const MANIFEST = { BASE2_MANIFEST: 'test/ops/fixtures/deployment.yml' };
let t: TestEmulator;

beforeEach(async () => {
  t = await startTestEmulator({ timeScale: 400 });
  await seedRegistry(t);
});
afterEach(async () => {
  await t.stop();
});

const deploy = (input: Record<string, unknown>) =>
  runOp<DeployResult>(t, deployOperation, { env: 'apponly', ...input }, { env: MANIFEST });

/** Where an operation's successful changes sit in the emulator's request log: [first, last]. */
async function span(report: OpReport): Promise<[number, number]> {
  const log = (await t.admin('GET', '/_emulator/requests')) as {
    requests: { seq: number; request_id?: string }[];
  };
  const ids = new Set(report.audit.filter((r) => r.outcome === 'ok').map((r) => r.request_id));
  const seqs = log.requests.filter((r) => r.request_id && ids.has(r.request_id)).map((r) => r.seq);
  expect(seqs.length).toBeGreaterThan(0);
  return [Math.min(...seqs), Math.max(...seqs)];
}

async function lockHeld(): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const keys = (await t.dots.v2.account.keys.get())?.sshKeys ?? [];
    if (keys.some((k) => k.name?.startsWith('base2-apponly-lock'))) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('the first deploy never took the lock');
}

describe('two mutating operations on one deployment', () => {
  it('run one after the other: the second waits, plans again, and none of its changes falls inside the first’s', async () => {
    const [a, b] = await Promise.all([deploy({ lock_wait: 30 }), deploy({ lock_wait: 30 })]);
    expect([a.report.status, b.report.status].sort()).toEqual(['noop', 'succeeded']);
    const [first, second] = [await span(a.report), await span(b.report)].sort((x, y) => x[0] - y[0]);
    expect(second![0]).toBeGreaterThan(first![1]);
    const apps = await t.dots.v2.apps.get({ queryParameters: { perPage: 200 } });
    expect((apps?.apps ?? []).filter((app) => app.spec?.name === 'base2-apponly')).toHaveLength(1);
    expect((await t.dots.v2.account.keys.get())?.sshKeys ?? []).toEqual([]);
  });

  it('the second fails fast with who holds it when lock_wait is 0, and changes nothing (a read-only deploy needs no lock)', async () => {
    const first = deploy({});
    await lockHeld();
    const before = (await t.requests()).length;
    const error = await deploy({ image_tag: '1.4.2', lock_wait: 0 }).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/^deploy of base2-apponly is running \(lock held by deploy /);
    expect((await first).report.status).toBe('succeeded');
    // The second's only call that was not a read is its refused attempt at the lock.
    const after = (await t.requests()).slice(before).map((r) => `${r.method} ${r.path} ${r.status}`);
    expect(after.filter((r) => r.startsWith('POST /v2/account/keys'))).toEqual(['POST /v2/account/keys 422']);
    expect(after.filter((r) => r.startsWith('PUT '))).toEqual([]);
  });

  it('the one that waits spends its wait as lock wait, not tool time, and waits by reading: one refused attempt, no failed audit record', async () => {
    // Another operation holds the lock, and releases it 1.5 s after the deploy first asked for it.
    const holder = { op: 'edit', holder: 'c0ffee00', since: Date.now(), until: Date.now() + 60_000 };
    const key = await t.dots.v2.account.keys.post({
      name: holderName('base2-apponly', holder),
      publicKey: lockPublicKey('base2-apponly'),
    });
    const HELD_MS = 1500;
    const before = (await t.requests()).length;
    const running = deploy({ lock_wait: 30 });
    for (;;) {
      const seen = (await t.requests()).slice(before);
      if (seen.some((r) => r.method === 'POST' && r.path.startsWith('/v2/account/keys'))) break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await new Promise((resolve) => setTimeout(resolve, HELD_MS));
    await t.dots.v2.account.keys.bySsh_key_identifier(key!.sshKey!.id!).delete();
    const { report } = await running;
    expect(report.status).toBe('succeeded');
    // Waiting is not the tool's work: at least the time the lock was held is lock wait.
    expect(report.lock_wait_ms).toBeGreaterThanOrEqual(HELD_MS - 100);
    expect(report.tool_time_ms).toBeLessThanOrEqual(report.wall_time_ms - report.lock_wait_ms);
    // While it waited it only read the key: one refused registration, then the one that took it.
    const posts = (await t.requests())
      .slice(before)
      .filter((r) => r.method === 'POST' && r.path.startsWith('/v2/account/keys'))
      .map((r) => r.status);
    expect(posts).toEqual([422, 201]);
    const lock = report.audit.filter((r) => r.resource === 'lock base2-apponly');
    expect(lock.map((r) => `${r.action} ${r.outcome}`)).toEqual([
      'acquire skipped',
      'acquire ok',
      'release ok',
    ]);
    expect(report.audit.filter((r) => r.outcome === 'failed')).toEqual([]);
  });
});
