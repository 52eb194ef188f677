/**
 * Keeping the lock across the calls of one operation. A deploy, edit or teardown cut short by its
 * deadline answers `in_progress` and is called again to continue; between those calls its lock
 * stays registered, marked paused, for one lease. Only the next call of the same operation that
 * brings the holder id back (its resume token) takes it back, at once; anyone else finds it held
 * and waits as for a running operation, and once the lease runs out it is anyone's again.
 */
import type { OpContext } from '../ops/types.js';
import { holderName, isExpired, type LockHolder } from './holder.js';
import { type LockKey, readLockKey, renameLockKey } from './store.js';

/** Marks the held key paused until `now + leaseMs`; false when the key is gone (the lock was lost). */
export async function pauseLockKey(
  ctx: OpContext,
  slug: string,
  id: number,
  holder: LockHolder,
  leaseMs: number,
): Promise<boolean> {
  const paused: LockHolder = { ...holder, until: ctx.clock.now() + leaseMs, paused: true };
  return renameLockKey(ctx, slug, id, holderName(slug, paused), 'pause');
}

export type Reclaimed =
  | { state: 'reclaimed'; id: number; holder: LockHolder }
  /** `reason` completes "the resume token was not honoured: …". */
  | { state: 'refused'; reason: string };

/** Pure: the paused lock `token` may take back for `op`, or why not. */
export function judgeToken(
  key: LockKey | undefined,
  op: string,
  token: string,
  now: number,
): { ok: true; id: number; holder: LockHolder } | { ok: false; reason: string } {
  const refuse = (reason: string) => ({ ok: false as const, reason });
  const holder = key?.holder;
  if (!key) return refuse('the lock is free (released, or its lease ran out and it was removed)');
  if (!holder || holder.holder !== token) return refuse('another operation holds the lock now');
  if (holder.op !== op) return refuse(`it is the lock of ${holder.op} ${token}, not of this ${op}`);
  if (!holder.paused)
    return refuse('the call it names is still running (an earlier call has not answered yet)');
  if (isExpired(holder, now)) return refuse('its lease ran out');
  return { ok: true, id: key.id, holder };
}

/**
 * Takes the paused lock `token` names back for the operation of `ctx`: renamed by id to a fresh
 * expiry, the same holder id and start. A key deleted meanwhile (taken over) cannot be renamed.
 */
export async function reclaimLockKey(
  ctx: OpContext,
  slug: string,
  token: string,
  ttlMs: number,
): Promise<Reclaimed> {
  const now = ctx.clock.now();
  const judged = judgeToken(await readLockKey(ctx, slug), ctx.op, token, now);
  if (!judged.ok) return { state: 'refused', reason: judged.reason };
  const holder: LockHolder = { op: ctx.op, holder: token, since: judged.holder.since, until: now + ttlMs };
  if (!(await renameLockKey(ctx, slug, judged.id, holderName(slug, holder), 'resume')))
    return { state: 'refused', reason: 'its lease ran out and another operation took it over' };
  return { state: 'reclaimed', id: judged.id, holder };
}
