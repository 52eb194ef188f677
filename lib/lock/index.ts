export { type Acquired, type AcquireOptions, acquireKey } from './acquire.js';
export { type ExpiredRemoval, removeExpiredLock } from './expired.js';
export { continueAdvice, holdingLock, type Resumable } from './hold.js';
export {
  describeHolder,
  HOLDER_ID,
  holderName,
  isExpired,
  isLockKeyName,
  type LockHolder,
  lockKeyPrefix,
  parseHolder,
} from './holder.js';
export {
  DEFAULT_LOCK_WAIT_MS,
  lockInputShape,
  lockWaitMs,
  lockWaitSchema,
  resumeInputShape,
  resumeTokenSchema,
} from './input.js';
export { lockFingerprint, lockPublicKey, lockSeed } from './key.js';
export {
  type AcquireOutcome,
  DEFAULT_LOCK_TTL_MS,
  DEFAULT_RENEW_EVERY_MS,
  type DeploymentLock,
  deploymentLock,
  type LockOptions,
} from './lock.js';
export { judgeToken, pauseLockKey, type Reclaimed, reclaimLockKey } from './resume.js';
export { createLockKey, deleteLockKey, type LockKey, readLockKey } from './store.js';
