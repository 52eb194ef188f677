/**
 * The lock key through the API. Every change goes through `mutate` (audited as `lock <slug>`);
 * reads name the key by its fingerprint, so no list of the account's keys is needed.
 */
import { ApiError, isNotFound, toApiError } from '../do/index.js';
import type { OpContext } from '../ops/types.js';
import { mutate } from '../resources/mutate.js';
import { type LockHolder, parseHolder } from './holder.js';
import { lockFingerprint, lockPublicKey } from './key.js';

export interface LockKey {
  id: number;
  name: string;
  /** Undefined when the name is not one this tool writes (changed by hand). */
  holder: LockHolder | undefined;
}

/**
 * `delete`: teardown removing a lock whose holder stopped renewing it (lib/lock/expired.ts).
 * `pause` and `resume`: kept between two calls of one operation (lib/lock/resume.ts).
 */
export type LockAction = 'acquire' | 'renew' | 'pause' | 'resume' | 'release' | 'take over' | 'delete';

const target = (slug: string, action: LockAction) => ({ kind: 'lock' as const, name: slug, action });

/** DigitalOcean's 422 to a second registration of the lock key: someone holds the lock. */
export const isHeld = (error: unknown): boolean => error instanceof ApiError && error.status === 422;

function toLockKey(slug: string, key: { id?: number | null; name?: string | null } | null | undefined) {
  const name = key?.name ?? '';
  return { id: key?.id ?? 0, name, holder: parseHolder(slug, name) };
}

/**
 * Registers the lock key under `name`; DigitalOcean answers 422 when it is registered already —
 * the lock doing its job, audited as skipped, not as a failure.
 */
export async function createLockKey(ctx: OpContext, slug: string, name: string): Promise<LockKey> {
  const answer = await mutate(
    ctx,
    slug,
    target(slug, 'acquire'),
    () => ctx.api.client.v2.account.keys.post({ name, publicKey: lockPublicKey(slug) }),
    {
      refusal: (error) =>
        isHeld(error) ? 'held by another operation: waiting for it, or giving up' : undefined,
    },
  );
  return toLockKey(slug, answer?.sshKey);
}

/**
 * The registered lock key (by fingerprint, or by id), or undefined when none is. dots types the
 * path parameter as a number, but DigitalOcean takes the fingerprint there too.
 */
export async function readLockKey(ctx: OpContext, slug: string, id?: number): Promise<LockKey | undefined> {
  const identifier = id ?? (lockFingerprint(slug) as unknown as number);
  try {
    const answer = await ctx.api.client.v2.account.keys.bySsh_key_identifier(identifier).get();
    return answer?.sshKey ? toLockKey(slug, answer.sshKey) : undefined;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw toApiError(error, { action: 'read', resource: `the lock of ${slug}` });
  }
}

/** Writes a new holder (renewal, pause, resume); false when the key is gone, i.e. the lock was lost. */
export async function renameLockKey(
  ctx: OpContext,
  slug: string,
  id: number,
  name: string,
  action: 'renew' | 'pause' | 'resume' = 'renew',
): Promise<boolean> {
  return mutate(ctx, slug, target(slug, action), async () => {
    try {
      await ctx.api.client.v2.account.keys.bySsh_key_identifier(id).put({ name });
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  });
}

/** Deletes the lock key by id (ids are never reused, so a newer holder's key is never hit); gone is fine. */
export async function deleteLockKey(
  ctx: OpContext,
  slug: string,
  id: number,
  action: 'release' | 'take over' | 'delete',
): Promise<void> {
  await mutate(ctx, slug, target(slug, action), async () => {
    try {
      await ctx.api.client.v2.account.keys.bySsh_key_identifier(id).delete();
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  });
}
