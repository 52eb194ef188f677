import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConflictError } from '../../lib/errors.js';
import {
  describeHolder,
  holderName,
  judgeToken,
  lockPublicKey,
  parseHolder,
  resumeTokenSchema,
} from '../../lib/lock/index.js';
import { deploymentLock } from '../../lib/lock/lock.js';
import type { OpName } from '../../lib/ops/types.js';
import { startTestEmulator, type TestEmulator } from '../support/emulator.js';
import { type TestContext, testContext } from '../support/op-context.js';

const SLUG = 'base2-staging';
const T0 = Date.UTC(2025, 4, 1, 10);

describe('a paused holder (pure)', () => {
  const paused = { op: 'deploy', holder: '3f9a0c1d', since: T0, until: T0 + 120_000, paused: true };

  it('is written into the key name and read back, and says so in messages', () => {
    const name = holderName(SLUG, paused);
    expect(name).toBe(
      'base2-staging-lock: deploy 3f9a0c1d since 2025-05-01T10:00:00.000Z until 2025-05-01T10:02:00.000Z paused',
    );
    expect(parseHolder(SLUG, name)).toEqual(paused);
    expect(parseHolder(SLUG, holderName(SLUG, { ...paused, paused: false }))).not.toHaveProperty('paused');
    expect(describeHolder(paused)).toMatch(/, paused between two of its calls$/);
  });

  it('is given back only to the same operation bringing its token, while its lease runs', () => {
    const key = { id: 7, name: holderName(SLUG, paused), holder: paused };
    expect(judgeToken(key, 'deploy', '3f9a0c1d', T0 + 1000)).toEqual({ ok: true, id: 7, holder: paused });
    const refusals = [
      judgeToken(undefined, 'deploy', '3f9a0c1d', T0),
      judgeToken(key, 'deploy', '0badc0de', T0),
      judgeToken(key, 'edit', '3f9a0c1d', T0),
      judgeToken({ ...key, holder: { ...paused, paused: false } }, 'deploy', '3f9a0c1d', T0),
      judgeToken(key, 'deploy', '3f9a0c1d', T0 + 120_000),
      judgeToken({ ...key, holder: undefined }, 'deploy', '3f9a0c1d', T0),
    ];
    expect(refusals.map((r) => (r.ok ? 'granted' : r.reason))).toEqual([
      'the lock is free (released, or its lease ran out and it was removed)',
      'another operation holds the lock now',
      'it is the lock of deploy 3f9a0c1d, not of this edit',
      'the call it names is still running (an earlier call has not answered yet)',
      'its lease ran out',
      'another operation holds the lock now',
    ]);
  });

  it('takes a token of 8 lowercase hex digits only', () => {
    expect(resumeTokenSchema.safeParse('3f9a0c1d').success).toBe(true);
    for (const bad of ['3F9A0C1D', '3f9a0c1', '3f9a0c1d0', '3f9a0c1g', '', ' 3f9a0c1d', 42, null])
      expect(resumeTokenSchema.safeParse(bad).success, String(bad)).toBe(false);
  });
});

describe('deployment lock across two calls of one operation', () => {
  let t: TestEmulator;
  const contexts: TestContext[] = [];

  beforeEach(async () => {
    t = await startTestEmulator();
  });
  afterEach(async () => {
    for (const tc of contexts.splice(0)) await tc.close();
    await t.stop();
  });

  const context = (op: OpName) => {
    const tc = testContext(t, { op });
    contexts.push(tc);
    return tc;
  };
  const lockName = async () => (await t.dots.v2.account.keys.get())?.sshKeys?.[0]?.name ?? '';

  it('pauses with a token, and the next call of the same operation takes it back at once under the same key', async () => {
    const first = context('deploy');
    const lock = deploymentLock(first.ctx, SLUG);
    await lock.acquire();
    const token = await lock.pause();
    expect(token).toMatch(/^[0-9a-f]{8}$/);
    expect(lock.holder).toBeUndefined();
    const paused = parseHolder(SLUG, await lockName());
    expect(paused).toMatchObject({ op: 'deploy', holder: token, paused: true });

    const next = context('deploy');
    const again = deploymentLock(next.ctx, SLUG, { resume: token, waitSeconds: 0 });
    expect(await again.reclaim()).toBe(true);
    expect(await again.acquire()).toBe('held');
    const resumed = parseHolder(SLUG, await lockName());
    expect(resumed).toEqual({ op: 'deploy', holder: token, since: paused?.since, until: resumed?.until });
    expect(resumed!.until).toBeGreaterThanOrEqual(paused!.until);
    await again.release();
    expect(await lockName()).toBe('');
    expect(first.ctx.audit.records().map((r) => r.action)).toEqual(['acquire', 'pause']);
    expect(next.ctx.audit.records().map((r) => r.action)).toEqual(['resume', 'release']);
  });

  it('stays held for anyone else, and for the same operation without the token', async () => {
    const lock = deploymentLock(context('deploy').ctx, SLUG);
    await lock.acquire();
    const token = await lock.pause();
    for (const [op, resume] of [
      ['edit', undefined],
      ['teardown', token],
      ['deploy', undefined],
    ] as const) {
      const other = deploymentLock(context(op).ctx, SLUG, { waitSeconds: 0, resume });
      expect(await other.reclaim()).toBe(false);
      const error = await other.acquire().catch((e: unknown) => e);
      expect(error, op).toBeInstanceOf(ConflictError);
      expect((error as Error).message).toMatch(
        /^deploy of base2-staging is running .*paused between two of its calls/,
      );
    }
    expect(parseHolder(SLUG, await lockName())).toMatchObject({ holder: token, paused: true });
  });

  it('a token of another holder grants nothing, and the conflict says why', async () => {
    const lock = deploymentLock(context('deploy').ctx, SLUG);
    await lock.acquire();
    await lock.pause();
    const stranger = deploymentLock(context('deploy').ctx, SLUG, { waitSeconds: 0, resume: '0badc0de' });
    expect(await stranger.reclaim()).toBe(false);
    await expect(stranger.acquire()).rejects.toThrow(
      /The resume token was not honoured: another operation holds the lock now\.$/,
    );
  });

  it('a token does not take a lock whose call is still running (it has not paused)', async () => {
    const running = deploymentLock(context('deploy').ctx, SLUG);
    await running.acquire();
    const early = deploymentLock(context('deploy').ctx, SLUG, {
      waitSeconds: 0,
      resume: running.holder?.holder,
    });
    expect(await early.reclaim()).toBe(false);
    await expect(early.acquire()).rejects.toBeInstanceOf(ConflictError);
    await running.release();
  });

  it('once the lease runs out, another operation takes it over, and the token is worth nothing after', async () => {
    const lock = deploymentLock(context('deploy').ctx, SLUG, { ttlMs: 300 });
    await lock.acquire();
    const token = await lock.pause();
    await new Promise((resolve) => setTimeout(resolve, 400));
    const edit = deploymentLock(context('edit').ctx, SLUG, { waitSeconds: 0 });
    expect(await edit.acquire()).toBe('waited');
    expect(parseHolder(SLUG, await lockName())?.op).toBe('edit');

    const late = deploymentLock(context('deploy').ctx, SLUG, { waitSeconds: 0, resume: token });
    expect(await late.reclaim()).toBe(false);
    await expect(late.acquire()).rejects.toBeInstanceOf(ConflictError);
    await edit.release();
  });

  it('a paused key that is gone before the continuing call (taken over, then released) is taken as usual', async () => {
    const first = context('deploy');
    const lock = deploymentLock(first.ctx, SLUG);
    await lock.acquire();
    const token = await lock.pause();
    const [key] = (await t.dots.v2.account.keys.get())?.sshKeys ?? [];
    await t.dots.v2.account.keys.bySsh_key_identifier(key!.id!).delete();
    const next = deploymentLock(context('deploy').ctx, SLUG, { waitSeconds: 0, resume: token });
    expect(await next.reclaim()).toBe(false);
    expect(await next.acquire()).toBe('acquired');
    expect(next.holder?.holder).not.toBe(token);
    await next.release();
  });

  it('pauses nothing when nothing is held', async () => {
    const lock = deploymentLock(context('deploy').ctx, SLUG);
    expect(await lock.pause()).toBeUndefined();
    expect(await lockName()).toBe('');
  });

  it('a paused lock written by hand with a lease still running is honoured for its token only', async () => {
    const holder = {
      op: 'edit',
      holder: 'abcdef01',
      since: Date.now(),
      until: Date.now() + 60_000,
      paused: true,
    };
    await t.dots.v2.account.keys.post({ name: holderName(SLUG, holder), publicKey: lockPublicKey(SLUG) });
    const edit = deploymentLock(context('edit').ctx, SLUG, { waitSeconds: 0, resume: 'abcdef01' });
    expect(await edit.reclaim()).toBe(true);
    expect(parseHolder(SLUG, await lockName())).toMatchObject({ op: 'edit', holder: 'abcdef01' });
    expect(parseHolder(SLUG, await lockName())).not.toHaveProperty('paused');
    await edit.release();
  });
});
