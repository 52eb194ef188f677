/**
 * The deployment lock: deploy, edit and teardown of one deployment never interleave, whichever
 * machine or function invocation runs them. Its state lives in DigitalOcean (lib/lock/key.ts):
 * held while the lock key is registered, its name saying who holds it until when. A holder renews
 * its expiry while it works; one that crashes blocks others only until that expiry.
 */
import { isToolError } from '../errors.js';
import type { OpContext } from '../ops/types.js';
import { acquireKey } from './acquire.js';
import { holderName, type LockHolder } from './holder.js';
import { lockWaitMs } from './input.js';
import { deleteLockKey, readLockKey, renameLockKey } from './store.js';

/** A holder is trusted this long without renewing. */
export const DEFAULT_LOCK_TTL_MS = 120_000;
/** Renewed this often: three chances before it expires. */
export const DEFAULT_RENEW_EVERY_MS = 40_000;

export interface LockOptions {
  /** `lock_wait`: seconds to wait for another holder, 0 failing at once; the default is lockWaitMs's. */
  waitSeconds?: number | undefined;
  ttlMs?: number;
  renewEveryMs?: number;
}

/** `acquired`: it was free; `waited`: another operation held it first (plan again); `held`: already ours. */
export type AcquireOutcome = 'acquired' | 'waited' | 'held';

export interface DeploymentLock {
  readonly slug: string;
  /** Takes the lock, waiting within `waitMs`; throws ConflictError when it stays held by another. */
  acquire(): Promise<AcquireOutcome>;
  /** Gives it back if held (deleting the key only while it still names this holder); never throws. */
  release(): Promise<void>;
  readonly holder: LockHolder | undefined;
  /** A renewal found the key gone: another operation took it over after it expired. */
  readonly lost: boolean;
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
  return {
    slug,
    get holder() {
      return held?.holder;
    },
    get lost() {
      return lost;
    },
    async acquire() {
      if (held) return 'held';
      const waitMs = lockWaitMs(options.waitSeconds, ctx.deadline);
      const got = await acquireKey(ctx, slug, { op: ctx.op, waitMs, ttlMs });
      const state = { id: got.key.id, holder: got.holder };
      const stop = heartbeat(ctx, slug, state, { ttlMs, renewEveryMs }, () => {
        lost = true;
      });
      held = {
        id: state.id,
        get holder() {
          return state.holder;
        },
        stop,
      };
      return got.waitedFor ? 'waited' : 'acquired';
    },
    async release() {
      const mine = held;
      if (!mine) return;
      held = undefined;
      await mine.stop();
      try {
        const current = await readLockKey(ctx, slug, mine.id);
        if (!current) return;
        if (current.holder?.holder !== mine.holder.holder) {
          ctx.log.warn('lock: not released, another operation holds it now', { deployment: slug });
          return;
        }
        await deleteLockKey(ctx, slug, mine.id, 'release');
      } catch (error) {
        ctx.log.warn('lock: could not release the lock; it expires on its own', {
          deployment: slug,
          expires: new Date(mine.holder.until).toISOString(),
          error: isToolError(error) ? error.message : String(error),
        });
      }
    },
  };
}
