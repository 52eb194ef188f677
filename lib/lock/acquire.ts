/**
 * Taking the lock. Registering the lock key is the atomic step: of any number of invocations
 * racing, DigitalOcean lets exactly one register it and answers 422 to the rest. A loser reads the
 * holder from the key's name and waits with backoff, or takes over a holder that stopped renewing.
 */
import { ApiError, isUnclearFailure } from '../do/index.js';
import { ConflictError } from '../errors.js';
import type { OpContext } from '../ops/types.js';
import { removeExpiredLock } from './expired.js';
import { describeHolder, holderName, isExpired, type LockHolder } from './holder.js';
import { createLockKey, type LockKey, readLockKey } from './store.js';

export interface AcquireOptions {
  op: string;
  /** How long to wait while another operation holds the lock; 0 fails at once. */
  waitMs: number;
  /** How long a holder is trusted without renewing. */
  ttlMs: number;
}

export interface Acquired {
  key: LockKey;
  holder: LockHolder;
  /** The other holder seen before this one got the lock (waited for, or taken over), if any. */
  waitedFor: LockHolder | undefined;
}

/** A key that vanishes between a refused create and the read is a release: retried this often at once. */
const MAX_VANISHED = 3;

function holderId(random: () => number): string {
  return Math.floor(random() * 0x1_0000_0000)
    .toString(16)
    .padStart(8, '0');
}

function busy(slug: string, key: LockKey, waitMs: number): ConflictError {
  const waited = waitMs > 0 ? ` (waited ${Math.round(waitMs / 1000)} s)` : '';
  if (!key.holder) {
    return new ConflictError(
      `The lock of ${slug} is held by SSH key ${key.id} named "${key.name}", which this tool did not write${waited}.`,
      { hint: 'If no deploy, edit or teardown of it is running, delete that SSH key and try again.' },
    );
  }
  return new ConflictError(
    `${key.holder.op} of ${slug} is running (lock held by ${describeHolder(key.holder)})${waited}; try again later.`,
    {
      hint:
        waitMs > 0
          ? 'To wait for it to finish, give a longer wait in seconds: --lock-wait on the command line, lock_wait in a web call.'
          : 'To wait for it to finish, give a wait in seconds: --lock-wait on the command line, lock_wait in a web call.',
    },
  );
}

/** Removes a lock whose holder stopped renewing (lib/lock/expired.ts); one that renewed meanwhile keeps it. */
async function takeOver(ctx: OpContext, slug: string, stale: LockKey): Promise<void> {
  if ((await removeExpiredLock(ctx, slug, stale, 'take over')) !== 'removed') return;
  ctx.log.warn('lock: took over a lock whose holder stopped renewing it', {
    deployment: slug,
    holder: stale.holder ? describeHolder(stale.holder) : stale.name,
  });
}

/** Registers the key, or waits for it within `waitMs` and the deadline; throws ConflictError when it cannot. */
export async function acquireKey(ctx: OpContext, slug: string, options: AcquireOptions): Promise<Acquired> {
  const id = holderId(ctx.random);
  const giveUpAt = ctx.clock.now() + options.waitMs;
  let interval = ctx.tuning.pollInitialMs;
  let waitedFor: LockHolder | undefined;
  let vanished = 0;
  for (;;) {
    const now = ctx.clock.now();
    const me: LockHolder = { op: options.op, holder: id, since: now, until: now + options.ttlMs };
    let refusal: ApiError;
    try {
      return { key: await createLockKey(ctx, slug, holderName(slug, me)), holder: me, waitedFor };
    } catch (error) {
      // 422: registered already (by whoever holds it). Unclear: ours may have gone through.
      if (!(error instanceof ApiError) || !(error.status === 422 || isUnclearFailure(error))) throw error;
      refusal = error;
    }
    const current = await readLockKey(ctx, slug);
    if (!current) {
      if (++vanished > MAX_VANISHED) throw refusal;
      continue;
    }
    vanished = 0;
    if (current.holder?.holder === id) return { key: current, holder: current.holder, waitedFor };
    waitedFor = current.holder ?? waitedFor;
    if (current.holder && isExpired(current.holder, ctx.clock.now())) {
      await takeOver(ctx, slug, current);
      continue;
    }
    const left = giveUpAt - ctx.clock.now();
    const pause = Math.min(interval, left);
    if (left <= 0 || ctx.deadline.remainingMs() <= pause) throw busy(slug, current, options.waitMs);
    try {
      await ctx.clock.sleep(pause, ctx.deadline.signal);
    } catch {
      throw busy(slug, current, options.waitMs);
    }
    interval = Math.min(ctx.tuning.pollMaxMs, interval * 1.5);
  }
}
