import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployOperation } from '../../lib/ops/deploy/index.js';
import { type EditResult, editOperation } from '../../lib/ops/edit/index.js';
import type { OpReport } from '../../lib/ops/types.js';
import { startTestEmulator, type TestEmulator } from '../support/emulator.js';
import { liveVersion, runOp, seedRegistry } from './support.js';

const MANIFEST = { BASE2_MANIFEST: 'test/ops/fixtures/deployment.yml' };
let t: TestEmulator;

beforeAll(async () => {
  t = await startTestEmulator({ timeScale: 400 });
  await seedRegistry(t);
  const { report } = await runOp(t, deployOperation, { env: 'apponly' }, { env: MANIFEST });
  expect(report.status).toBe('succeeded');
});
afterAll(async () => {
  await t.stop();
});

const edit = async (input: Record<string, unknown>) =>
  (await runOp<EditResult>(t, editOperation, { env: 'apponly', ...input }, { env: MANIFEST })).report;

/** Where an operation's successful changes sit in the emulator's request log: [first, last]. */
async function span(report: OpReport): Promise<[number, number]> {
  const log = (await t.admin('GET', '/_emulator/requests')) as {
    requests: { seq: number; request_id?: string }[];
  };
  const ids = new Set(report.audit.filter((r) => r.outcome === 'ok').map((r) => r.request_id));
  const seqs = log.requests.filter((r) => r.request_id && ids.has(r.request_id)).map((r) => r.seq);
  return [Math.min(...seqs), Math.max(...seqs)];
}

describe('two edits of one deployment at once', () => {
  it('never interleave: the second waits, plans again on what the first left, and both changes are live', async () => {
    const [a, b] = await Promise.all([
      edit({ set_env: { FIRST: 'one' }, lock_wait: 30 }),
      edit({ set_env: { SECOND: 'two' }, lock_wait: 30 }),
    ]);
    expect([a.status, b.status]).toEqual(['succeeded', 'succeeded']);
    const [first, second] = [await span(a), await span(b)].sort((x, y) => x[0] - y[0]);
    expect(second![0]).toBeGreaterThan(first![1]);
    // Each patched the spec the other left: neither change was lost.
    const apps = (await t.dots.v2.apps.get({ queryParameters: { perPage: 200 } }))?.apps ?? [];
    const live = await liveVersion(t, apps[0]!.liveUrl!);
    expect(live.env).toMatchObject({ FIRST: 'one', SECOND: 'two' });
  });

  it('the second fails fast, changing nothing, when it may not wait', async () => {
    const first = edit({ set_env: { THIRD: 'three' } });
    // Until the first holds the lock (it reads and asks DigitalOcean about its change first; a loaded
    // machine takes a while).
    for (let i = 0; i < 2000; i++) {
      const keys = (await t.dots.v2.account.keys.get())?.sshKeys ?? [];
      if (keys.some((k) => k.name?.startsWith('base2-apponly-lock'))) break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await expect(edit({ set_env: { FOURTH: 'four' }, lock_wait: 0 })).rejects.toThrow(
      /^edit of base2-apponly is running \(lock held by edit [0-9a-f]{8} since/,
    );
    expect((await first).status).toBe('succeeded');
    const apps = (await t.dots.v2.apps.get({ queryParameters: { perPage: 200 } }))?.apps ?? [];
    expect((await liveVersion(t, apps[0]!.liveUrl!)).env).not.toHaveProperty('FOURTH');
  });
});
