/**
 * A lock whose holder stopped renewing it (crashed, killed, cut off) belongs to no one: acquire
 * takes it over, and teardown removes it, so not even the lock is left of a deployment.
 */
import type { OpContext } from '../ops/types.js';
import { deleteLockKey, type LockKey, readLockKey } from './store.js';

/** `renewed`: the holder was alive after all and wrote a new expiry; the lock is still its own. */
export type ExpiredRemoval = 'removed' | 'gone' | 'renewed';

/**
 * Deletes `stale` only if it still names the same holder when read again. It is deleted by id, and
 * ids are never reused, so a newer holder's key cannot be hit.
 */
export async function removeExpiredLock(
  ctx: OpContext,
  slug: string,
  stale: LockKey,
  action: 'take over' | 'delete',
): Promise<ExpiredRemoval> {
  const again = await readLockKey(ctx, slug, stale.id);
  if (!again) return 'gone';
  if (again.name !== stale.name) return 'renewed';
  await deleteLockKey(ctx, slug, stale.id, action);
  return 'removed';
}
