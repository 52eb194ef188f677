/**
 * The deployment lock is an SSH key in the account: a teardown killed after deleting everything,
 * before releasing it, must not leave that key behind for good. The next teardown removes an
 * expired lock (audited, and shown in its plan and result) and leaves a live one, whose holder is
 * still working, to the lock's rules.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sshKeyName } from '../../lib/config/identity.js';
import {
  DEFAULT_LOCK_TTL_MS,
  holderName,
  type LockHolder,
  lockKeyPrefix,
  lockPublicKey,
} from '../../lib/lock/index.js';
import { deployOperation } from '../../lib/ops/deploy/index.js';
import { type InfoResult, infoOperation } from '../../lib/ops/info/index.js';
import { type TeardownResult, teardownOperation } from '../../lib/ops/teardown/index.js';
import type { OpReport } from '../../lib/ops/types.js';
import { spawnInvoke } from '../hardening/child.js';
import { snapshot } from '../hardening/end-state.js';
import { explain, type Harness, reportOf, startHarness } from '../hardening/harness.js';

const SLUG = 'base2-staging';
/** The manifest's droplets.ssh_key.public_key (the fixture's placeholder). */
const PUBLIC_KEY =
  'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJeX1kgymIaelKiSqc7R9gXuaWcWSLoQsfOiFyHXIcgV base2-placeholder';
const MINUTE = 60_000;

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.stop();
});
beforeEach(async () => {
  await h.reset();
});

const teardown = async (input: Record<string, unknown> = {}) =>
  reportOf<TeardownResult>(await h.run<TeardownResult>(teardownOperation, { env: 'staging', ...input }));

/** Registers the lock key as a holder of `op` would, its lease ending `untilIn` ms from the tool's now. */
async function plantLock(untilIn: number, op = 'deploy'): Promise<string> {
  const now = h.clock.now();
  const holder: LockHolder = { op, holder: 'deadbeef', since: now - 5 * MINUTE, until: now + untilIn };
  const name = holderName(SLUG, holder);
  await h.t.dots.v2.account.keys.post({ name, publicKey: lockPublicKey(SLUG) });
  return name;
}

const lockKeys = async () => (await snapshot(h.t, SLUG)).lockKeys.map((k) => k.name);
const mutatingRequests = async () => (await h.requests()).filter((r) => r.method !== 'GET').length;

const LOCK_STEP = { kind: 'ssh_key', action: 'delete', name: lockKeyPrefix(SLUG) };

function expectLockRemovedBy(report: OpReport<TeardownResult>): void {
  expect(report.result.plan).toContainEqual(expect.objectContaining(LOCK_STEP));
  expect(report.result.applied).toContainEqual(expect.objectContaining({ ...LOCK_STEP, outcome: 'ok' }));
  expect(report.audit.map((r) => `${r.resource} ${r.action} ${r.outcome}`)).toContain(
    `lock ${SLUG} delete ok`,
  );
}

async function expectQuietAfterwards(): Promise<void> {
  const again = await teardown();
  expect(again.status).toBe('noop');
  expect(again.api_calls.mutating, 'mutating calls of a teardown with nothing left').toBe(0);
}

describe('teardown and a lock key left by a killed run', () => {
  it('removes an expired lock when nothing else is left, audited and listed, and is then a noop', async () => {
    await plantLock(-MINUTE, 'teardown');
    const report = await teardown();
    expect(report.status, report.result.failure).toBe('succeeded');
    expectLockRemovedBy(report);
    expect(report.result.plan_table).toContain(
      `${lockKeyPrefix(SLUG)}  the deployment lock of teardown deadbeef`,
    );
    expect(report.result.remaining).toEqual([]);
    expect(await lockKeys()).toEqual([]);
    await expectQuietAfterwards();
  });

  it('removes an expired lock along with everything the deployment owns', async () => {
    const deployed = await h.run(deployOperation, { env: 'staging' });
    expect(reportOf(deployed).status, explain(deployed)).toBe('succeeded');
    await plantLock(-MINUTE);
    const report = await teardown();
    expect(report.status, report.result.failure).toBe('succeeded');
    expectLockRemovedBy(report);
    expect(report.result.remaining).toEqual([]);
    const after = await snapshot(h.t, SLUG);
    expect([after.owned, after.apps, after.sshKeys, after.lockKeys]).toEqual([[], [], [], []]);
    await expectQuietAfterwards();
  });

  it('a dry run lists the expired lock and keeps it', async () => {
    const name = await plantLock(-MINUTE);
    await h.clearRequests();
    const report = await teardown({ dry_run: true });
    expect(report.status).toBe('succeeded');
    expect(report.result.plan).toEqual([expect.objectContaining(LOCK_STEP)]);
    expect(report.result.plan_table).toContain('Plan: 1 to delete.');
    expect(report.result.applied).toEqual([]);
    expect(await mutatingRequests()).toBe(0);
    expect(await lockKeys()).toEqual([name]);
  });
});

describe('info and a lock key left by a killed run', () => {
  it('warns about an expired lock (what removes it) and not about a live one, with no extra call', async () => {
    const info = async () => reportOf<InfoResult>(await h.run<InfoResult>(infoOperation, { env: 'staging' }));
    const clean = await info();
    await plantLock(-MINUTE, 'teardown');
    const stale = await info();
    expect(stale.warnings).toEqual([
      ...clean.warnings,
      expect.stringMatching(
        /^SSH key \d+ "base2-staging-lock: teardown deadbeef .*" is the lock of base2-staging, left by teardown deadbeef, expired .*: the next teardown removes it, as does the next deploy or edit that changes something\.$/,
      ),
    ]);
    expect(stale.api_calls.total).toBe(clean.api_calls.total);
    await h.reset();
    await plantLock(10 * MINUTE);
    expect((await info()).warnings).toEqual(clean.warnings);
  });
});

describe('teardown and the lock of a running operation', () => {
  it('leaves it, failing with a conflict that names the holder at lock_wait 0', async () => {
    const name = await plantLock(10 * MINUTE);
    await h.clearRequests();
    const attempt = await h.run<TeardownResult>(teardownOperation, { env: 'staging', lock_wait: 0 });
    expect(attempt.error?.kind, explain(attempt)).toBe('conflict');
    expect(attempt.error?.message).toMatch(
      /^deploy of base2-staging is running \(lock held by deploy deadbeef/,
    );
    expect(await lockKeys()).toEqual([name]);
    // The refused registration of its own lock key is the only write it tried.
    expect(
      (await h.requests()).filter((r) => r.method !== 'GET').map((r) => `${r.method} ${r.status}`),
    ).toEqual(['POST 422']);
  });

  it('a dry run says an operation is running rather than reporting all clean', async () => {
    const name = await plantLock(10 * MINUTE);
    const report = await teardown({ dry_run: true });
    expect(report.result.plan).toEqual([]);
    expect(report.warnings.join('\n')).toMatch(
      /deploy deadbeef .*holds the lock of base2-staging: it is running/,
    );
    expect(await lockKeys()).toEqual([name]);
  });

  it('waits for it to finish, then deletes what it made', async () => {
    await plantLock(10 * MINUTE);
    let settled = false;
    const running = teardown({ lock_wait: 120 }).finally(() => {
      settled = true;
    });
    // Once the teardown has been refused the lock, the running "deploy" registers the deployment's
    // SSH key, then releases the lock.
    const refused = async () => (await h.requests()).some((r) => r.method === 'POST' && r.status === 422);
    await until(async () => settled || (await refused()));
    const made = await h.t.dots.v2.account.keys.post({ name: sshKeyName(SLUG), publicKey: PUBLIC_KEY });
    const lock = (await h.t.dots.v2.account.keys.get())?.sshKeys?.find((k) =>
      k.name?.startsWith(lockKeyPrefix(SLUG)),
    );
    await h.t.dots.v2.account.keys.bySsh_key_identifier(lock?.id ?? 0).delete();

    const report = await running;
    expect(report.status, report.result.failure).toBe('succeeded');
    expect(report.result.applied).toContainEqual(
      expect.objectContaining({
        kind: 'ssh_key',
        action: 'delete',
        name: sshKeyName(SLUG),
        id: String(made?.sshKey?.id),
      }),
    );
    expect(report.warnings.join('\n')).toMatch(
      /deploy deadbeef .*held the lock of base2-staging: teardown waited/,
    );
    expect((await snapshot(h.t, SLUG)).sshKeys).toEqual([]);
    expect(await lockKeys()).toEqual([]);
  });
});

describe('teardown killed (SIGKILL) after deleting everything, while releasing its lock', () => {
  it('leaves its lock, which the next teardown removes once the lease is over', async () => {
    const deployed = await h.run(deployOperation, { env: 'staging' });
    expect(reportOf(deployed).status, explain(deployed)).toBe('succeeded');
    // The SSH key delete goes through; every lock release after it fails, so the kill finds the
    // child with everything deleted, its lock still registered.
    await h.faults([{ method: 'DELETE', path: '/v2/account/keys/*', mode: 'error', status: 500, skip: 1 }]);
    const child = spawnInvoke(['teardown', '--env', 'staging'], h.env());
    try {
      await releaseAttempted(child.exited);
    } finally {
      child.process.kill('SIGKILL');
    }
    expect(await child.exited, `killed mid-way, not finished: ${child.output().slice(-1000)}`).toBeNull();
    await h.clearFaults();
    const midway = await snapshot(h.t, SLUG);
    expect([midway.owned, midway.apps, midway.sshKeys]).toEqual([[], [], []]);
    expect(midway.lockKeys.map((k) => k.name)).toEqual([
      expect.stringMatching(/^base2-staging-lock: teardown /),
    ]);

    h.advance(DEFAULT_LOCK_TTL_MS);
    const report = await teardown();
    expect(report.status, report.result.failure).toBe('succeeded');
    expectLockRemovedBy(report);
    expect(await lockKeys()).toEqual([]);
    await expectQuietAfterwards();
  });
});

/** Polls (the emulator's state, not the tool's) until `done`. */
async function until(done: () => Promise<boolean>): Promise<void> {
  while (!(await done())) await new Promise((resolve) => setTimeout(resolve, 5));
}

/** Resolves once the child's lock release has been refused (or the child has gone). */
async function releaseAttempted(exited: Promise<number | null>): Promise<void> {
  let gone = false;
  void exited.then(() => {
    gone = true;
  });
  await until(
    async () =>
      gone ||
      (await h.requests()).some(
        (r) => r.method === 'DELETE' && r.path.startsWith('/v2/account/keys/') && r.status === 500,
      ),
  );
}
