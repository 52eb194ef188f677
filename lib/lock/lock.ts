/**
 * The deployment lock: deploy, edit and teardown of one deployment never interleave, whichever
 * machine or function invocation runs them. Its state lives in DigitalOcean (lib/lock/key.ts):
 * held while the lock key is registered, its name saying who holds it until when. A holder renews
 * its expiry while it works; one that crashes blocks others only until that expiry. Between two
 * calls of one operation (`in_progress`) it stays paused for a lease (./resume.ts).
 */
import { ConflictError, isToolError } from '../errors.js';
import { isInterrupted } from '../interrupt.js';
import type { OpContext } from '../ops/types.js';
import { acquireKey } from './acquire.js';
import { holderName, type LockHolder } from './holder.js';
import { lockWaitMs } from './input.js';
import { pauseLockKey, reclaimLockKey } from './resume.js';
import { deleteLockKey, readLockKey, renameLockKey } from './store.js';

/** A holder is trusted this long without renewing, and a paused lock kept this long for its next call. */
export const DEFAULT_LOCK_TTL_MS = 120_000;
/** Renewed this often: three chances before it expires. */
export const DEFAULT_RENEW_EVERY_MS = 40_000;

export interface LockOptions {
  /** `lock_wait`: seconds to wait for another holder, 0 failing at once; the default is lockWaitMs's. */
  waitSeconds?: number | undefined;
  /** The token an `in_progress` answer of this operation gave: its paused lock, to take back at once. */
  resume?: string | undefined;
  ttlMs?: number;
  renewEveryMs?: number;
}

/** `acquired`: it was free; `waited`: another operation held it first (plan again); `held`: already ours. */
export type AcquireOutcome = 'acquired' | 'waited' | 'held';

export interface DeploymentLock {
  readonly slug: string;
  /** Takes the lock, waiting within `waitMs`; throws ConflictError when it stays held by another. */
  acquire(): Promise<AcquireOutcome>;
  /**
   * Takes back, without waiting, the paused lock the `resume` token names; false (and logged why)
   * when the token is absent or names no paused lock of this operation, and acquire waits as usual.
   */
  reclaim(): Promise<boolean>;
  /** Gives it back if held (deleting the key only while it still names this holder); never throws. */
  release(): Promise<void>;
  /**
   * Keeps it, paused for one lease, for the next call of this operation; the token that call gives
   * as `resume`, or undefined when nothing is held (or the lock was lost). Never throws.
   */
  pause(): Promise<string | undefined>;
  readonly holder: LockHolder | undefined;
  /** A renewal found the key gone: another operation took it over after it expired. */
  readonly lost: boolean;
  /** The host asked the operation to stop (lib/interrupt.ts): give the lock back, do not pause it. */
  readonly interrupted: boolean;
}

interface Held {
  id: number;
  holder: LockHolder;
  stop: () => Promise<void>;
}

/** Renews the expiry every `renewEveryMs` until stopped; a key gone means the lock was lost. */
function heartbeat(
  ctx: OpContext,
  slug: string,
  held: { id: number; holder: LockHolder },
  timing: { ttlMs: number; renewEveryMs: number },
  onLost: () => void,
): () => Promise<void> {
  const stop = new AbortController();
  const loop = (async () => {
    for (;;) {
      try {
        await ctx.clock.sleep(timing.renewEveryMs, stop.signal);
      } catch {
        return;
      }
      const next = { ...held.holder, until: ctx.clock.now() + timing.ttlMs };
      try {
        if (!(await renameLockKey(ctx, slug, held.id, holderName(slug, next)))) {
          ctx.log.error('lock: lost the lock (another operation took it over after it expired)', {
            deployment: slug,
          });
          onLost();
          return;
        }
        held.holder = next;
      } catch (error) {
        ctx.log.warn('lock: could not renew the lock; trying again later', {
          deployment: slug,
          error: isToolError(error) ? error.message : String(error),
        });
      }
    }
  })();
  return async () => {
    stop.abort();
    await loop;
  };
}

/** A lock for `slug`, taken by the operation of `ctx` when it first has something to change. */
export function deploymentLock(ctx: OpContext, slug: string, options: LockOptions = {}): DeploymentLock {
  const ttlMs = options.ttlMs ?? DEFAULT_LOCK_TTL_MS;
  const renewEveryMs = options.renewEveryMs ?? DEFAULT_RENEW_EVERY_MS;
  let held: Held | undefined;
  let lost = false;
  /** Why the resume token was not honoured, for the conflict a caller may meet next. */
  let refused: string | undefined;
  // The host (the CLI) is told what is held, so that even an exit at once can say what it leaves.
  const tell = (holder: LockHolder | undefined) => {
    if (holder) ctx.interrupt?.held.set(slug, holder);
    else ctx.interrupt?.held.delete(slug);
  };
  const hold = (id: number, holder: LockHolder) => {
    const state = {
      id,
      get holder() {
        return current;
      },
      set holder(next: LockHolder) {
        current = next;
        tell(next);
      },
    };
    let current = holder;
    tell(holder);
    const stop = heartbeat(ctx, slug, state, { ttlMs, renewEveryMs }, () => {
      lost = true;
      tell(undefined);
    });
    held = {
      id,
      get holder() {
        return state.holder;
      },
      stop,
    };
  };
  return {
    slug,
    get holder() {
      return held?.holder;
    },
    get lost() {
      return lost;
    },
    get interrupted() {
      return isInterrupted(ctx);
    },
    async acquire() {
      if (held) return 'held';
      const waitMs = lockWaitMs(options.waitSeconds, ctx.deadline);
      try {
        const got = await acquireKey(ctx, slug, { op: ctx.op, waitMs, ttlMs });
        hold(got.key.id, got.holder);
        return got.waitedFor ? 'waited' : 'acquired';
      } catch (error) {
        if (!(error instanceof ConflictError) || !refused) throw error;
        throw new ConflictError(`${error.message} The resume token was not honoured: ${refused}.`, {
          ...(error.hint ? { hint: error.hint } : {}),
        });
      }
    },
    async reclaim() {
      if (held) return true;
      if (options.resume === undefined) return false;
      // An API failure here leaves acquire to wait as usual: a caller that loops (remote) comes back.
      const got = await reclaimLockKey(ctx, slug, options.resume, ttlMs).catch((error: unknown) => {
        if (!isToolError(error)) throw error;
        return {
          state: 'refused' as const,
          reason: `the lock could not be read or renamed (${error.message})`,
        };
      });
      if (got.state === 'reclaimed') {
        hold(got.id, got.holder);
        return true;
      }
      refused = got.reason;
      ctx.log.warn('lock: the resume token was not honoured; the lock is taken as usual', {
        deployment: slug,
        reason: got.reason,
      });
      return false;
    },
    async release() {
      const mine = held;
      if (!mine) return;
      held = undefined;
      await mine.stop();
      try {
        const current = await readLockKey(ctx, slug, mine.id);
        if (current && current.holder?.holder !== mine.holder.holder) {
          ctx.log.warn('lock: not released, another operation holds it now', { deployment: slug });
        } else if (current) await deleteLockKey(ctx, slug, mine.id, 'release');
        tell(undefined);
      } catch (error) {
        ctx.log.warn('lock: could not release the lock; it expires on its own', {
          deployment: slug,
          expires: new Date(mine.holder.until).toISOString(),
          error: isToolError(error) ? error.message : String(error),
        });
      }
    },
    async pause() {
      const mine = held;
      if (!mine) return undefined;
      held = undefined;
      await mine.stop();
      if (lost) return undefined;
      try {
        if (await pauseLockKey(ctx, slug, mine.id, mine.holder, ttlMs)) {
          tell({ ...mine.holder, until: ctx.clock.now() + ttlMs, paused: true });
          return mine.holder.holder;
        }
        tell(undefined);
        ctx.log.error('lock: lost the lock (another operation took it over after it expired)', {
          deployment: slug,
        });
        return undefined;
      } catch (error) {
        // Still named as held until its last renewal's expiry: the next call, token or not, waits
        // that out at most; the token is honoured if the rename went through after all.
        ctx.log.warn('lock: could not pause the lock for the next call; it expires on its own', {
          deployment: slug,
          expires: new Date(mine.holder.until).toISOString(),
          error: isToolError(error) ? error.message : String(error),
        });
        return mine.holder.holder;
      }
    },
  };
}
