/**
 * Taking the lock. Registering the lock key is the atomic step: of any number of invocations
 * racing, DigitalOcean lets exactly one register it and answers 422 to the rest. A loser reads the
 * holder from the key's name and waits with backoff, or takes over a holder that stopped renewing.
 * While it waits it only reads the key: it tries to register it again only once the key is gone
 * (or taken over), so a long wait is one refused attempt and one audit record, not one per poll,
 * and its time is lock wait, not tool time.
 */
import { ApiError, isUnclearFailure } from '../do/index.js';
import { ConflictError } from '../errors.js';
import type { OpContext } from '../ops/types.js';
import { removeExpiredLock } from './expired.js';
import { describeHolder, holderName, isExpired, type LockHolder } from './holder.js';
import { createLockKey, isHeld, type LockKey, readLockKey } from './store.js';

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

/** A registration that went through: the key and the holder it names. */
type Registered = Omit<Acquired, 'waitedFor'>;

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
  const register = async (): Promise<Registered | ApiError> => {
    const now = ctx.clock.now();
    const me: LockHolder = { op: options.op, holder: id, since: now, until: now + options.ttlMs };
    try {
      return { key: await createLockKey(ctx, slug, holderName(slug, me)), holder: me };
    } catch (error) {
      // 422: registered already (by whoever holds it). Unclear: ours may have gone through.
      if (!(error instanceof ApiError) || !(isHeld(error) || isUnclearFailure(error))) throw error;
      return error;
    }
  };
  const first = await register();
  if (!(first instanceof ApiError)) return { ...first, waitedFor: undefined };
  // From the first refusal until it is ours (or given up), the operation waits on another one.
  return ctx.timing.waiting('lock', () =>
    contend(ctx, slug, { id, giveUpAt, waitMs: options.waitMs }, register, first),
  );
}

/**
 * The wait after a refusal: reads the key with backoff until its holder releases it (register
 * again), stops renewing it (take over), or the wait or the deadline runs out.
 */
async function contend(
  ctx: OpContext,
  slug: string,
  wait: { id: string; giveUpAt: number; waitMs: number },
  register: () => Promise<Registered | ApiError>,
  firstRefusal: ApiError,
): Promise<Acquired> {
  let interval = ctx.tuning.pollInitialMs;
  let waitedFor: LockHolder | undefined;
  let vanished = 0;
  let refusal: ApiError | undefined = firstRefusal;
  for (;;) {
    const current = await readLockKey(ctx, slug);
    if (!current) {
      // Released: register it now. Refused yet absent this often in a row is not a release.
      if (refusal && ++vanished > MAX_VANISHED) throw refusal;
      const got = await register();
      if (!(got instanceof ApiError)) return { ...got, waitedFor };
      refusal = got;
      continue;
    }
    vanished = 0;
    refusal = undefined;
    if (current.holder?.holder === wait.id) return { key: current, holder: current.holder, waitedFor };
    waitedFor = current.holder ?? waitedFor;
    if (current.holder && isExpired(current.holder, ctx.clock.now())) {
      await takeOver(ctx, slug, current);
      const got = await register();
      if (!(got instanceof ApiError)) return { ...got, waitedFor };
      refusal = got;
      continue;
    }
    const left = wait.giveUpAt - ctx.clock.now();
    const pause = Math.min(interval, left);
    if (left <= 0 || ctx.deadline.remainingMs() <= pause) throw busy(slug, current, wait.waitMs);
    try {
      await ctx.clock.sleep(pause, ctx.deadline.signal);
    } catch {
      throw busy(slug, current, wait.waitMs);
    }
    interval = Math.min(ctx.tuning.pollMaxMs, interval * 1.5);
  }
}
