/**
 * The deployment lock as teardown finds it. The lock is an SSH key in the account (lib/lock): one
 * whose lease ran out was left by a run that stopped before releasing it (killed, crashed, cut
 * off) and is the deployment's last leftover, deleted like anything it owns. A live one belongs to
 * an operation still running: teardown waits for it under the lock's rules and never deletes it.
 */
import {
  describeHolder,
  type ExpiredRemoval,
  isExpired,
  type LockHolder,
  type LockKey,
  lockKeyPrefix,
  removeExpiredLock,
} from '../../lock/index.js';
import type { AppliedStep, PlanStep } from '../../resources/types.js';
import type { OpContext } from '../types.js';

/** `free`: no lock key, or the one this teardown holds (after waiting for another). */
export type FoundLock =
  | { state: 'free' }
  | { state: 'expired'; key: LockKey; holder: LockHolder }
  | { state: 'held'; key: LockKey };

/** Pure. A key whose name this tool did not write has no expiry to trust: it counts as held. */
export function foundLock(key: LockKey | undefined, mine: LockHolder | undefined, now: number): FoundLock {
  if (!key) return { state: 'free' };
  if (key.holder && key.holder.holder === mine?.holder) return { state: 'free' };
  if (key.holder && isExpired(key.holder, now)) return { state: 'expired', key, holder: key.holder };
  return { state: 'held', key };
}

/** Pure: deleting an expired lock, listed as the SSH key it is. */
export function leftoverLockSteps(slug: string, found: FoundLock): PlanStep[] {
  if (found.state !== 'expired') return [];
  const { op, holder, until, paused } = found.holder;
  const why = paused
    ? 'it answered in_progress and was not called again within the lease'
    : 'that run stopped before releasing it';
  return [
    {
      kind: 'ssh_key',
      action: 'delete',
      name: lockKeyPrefix(slug),
      id: String(found.key.id),
      reason: `the deployment lock of ${op} ${holder}, expired ${new Date(until).toISOString()}: ${why}`,
    },
  ];
}

function who(key: LockKey): string {
  return key.holder
    ? describeHolder(key.holder)
    : `SSH key ${key.id} "${key.name}" (not written by this tool)`;
}

/** Pure: the dry run's word on a live lock, whose holder may still create what this plan lacks. */
export function runningWarning(slug: string, key: LockKey): string {
  if (!key.holder) {
    return (
      `${who(key)} holds the lock of ${slug}: teardown cannot take it. If no deploy, edit or teardown of it ` +
      'is running, delete that SSH key.'
    );
  }
  return (
    `${who(key)} holds the lock of ${slug}: it is running, so teardown waits for it (lock_wait) and ` +
    'then deletes what it left; this plan is from before it finished.'
  );
}

/** Pure: why a teardown took longer, and why its plan is not the one it first read. */
export function waitedWarning(slug: string, key: LockKey): string {
  return (
    `${who(key)} held the lock of ${slug}: teardown waited for it to finish (or its lease to run out), ` +
    'then read again what was left.'
  );
}

/** Deletes the expired lock (audited as `lock <slug> delete`) unless its holder renewed it meanwhile. */
export async function removeLeftoverLock(
  ctx: OpContext,
  slug: string,
  found: FoundLock & { state: 'expired' },
): Promise<{ removal: ExpiredRemoval; applied: AppliedStep }> {
  const removal = await removeExpiredLock(ctx, slug, found.key, 'delete');
  const applied: AppliedStep = {
    kind: 'ssh_key',
    action: 'delete',
    name: lockKeyPrefix(slug),
    id: String(found.key.id),
    outcome: 'ok',
  };
  if (removal === 'renewed')
    return {
      removal,
      applied: { ...applied, outcome: 'skipped', detail: 'its holder renewed it: still running' },
    };
  if (removal === 'gone')
    return { removal, applied: { ...applied, outcome: 'skipped', detail: 'already gone' } };
  return { removal, applied };
}
