/**
 * Who holds a deployment's lock, written into the lock key's name (the one field of an SSH key
 * that can change): `base2-staging-lock: deploy 3f9a0c1d since 2025-05-01T10:00:00.000Z until
 * 2025-05-01T10:02:00.000Z`. Any invocation can read it, see whose it is and when it expires.
 * ` paused` at the end: its operation answered `in_progress` and keeps the lock for the call that
 * continues it (lib/lock/resume.ts).
 */

/** DigitalOcean's limit for an SSH key's name. */
export const MAX_KEY_NAME_LENGTH = 255;

export interface LockHolder {
  /** The operation holding it: deploy, edit, teardown. */
  op: string;
  /** A random id per acquisition: tells our own lock from another's with the same op. */
  holder: string;
  /** Epoch milliseconds. */
  since: number;
  /** Epoch milliseconds; a holder that stops renewing is presumed dead after this. */
  until: number;
  /** Between two calls of its operation: no one works under it until the next call takes it back. */
  paused?: boolean;
}

/** A holder id as acquire writes it, and as a resume token gives it back: 8 lowercase hex digits. */
export const HOLDER_ID = /^[0-9a-f]{8}$/;

/** The prefix every lock key name starts with; the ssh_key module owns `<slug>-key` only. */
export function lockKeyPrefix(slug: string): string {
  return `${slug}-lock`;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** Pure: the key name that records `holder`. */
export function holderName(slug: string, holder: LockHolder): string {
  const name = `${lockKeyPrefix(slug)}: ${holder.op} ${holder.holder} since ${iso(holder.since)} until ${iso(holder.until)}${holder.paused ? ' paused' : ''}`;
  if (name.length > MAX_KEY_NAME_LENGTH)
    throw new RangeError(`lock key name longer than ${MAX_KEY_NAME_LENGTH}`);
  return name;
}

const STAMP = '(\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(?:\\.\\d+)?Z)';
const PATTERN = new RegExp(`^: ([a-z_]+) ([0-9a-f]+) since ${STAMP} until ${STAMP}( paused)?$`);

/** Pure: the holder a key name records, or undefined when it is not a lock name of `slug`. */
export function parseHolder(slug: string, name: string): LockHolder | undefined {
  const prefix = lockKeyPrefix(slug);
  if (!name.startsWith(prefix)) return undefined;
  const match = PATTERN.exec(name.slice(prefix.length));
  if (!match) return undefined;
  const since = Date.parse(match[3]!);
  const until = Date.parse(match[4]!);
  if (Number.isNaN(since) || Number.isNaN(until)) return undefined;
  return { op: match[1]!, holder: match[2]!, since, until, ...(match[5] ? { paused: true } : {}) };
}

/** Pure: whether `name` is a lock key name of `slug` (held or not parseable). */
export function isLockKeyName(slug: string, name: string): boolean {
  return name === lockKeyPrefix(slug) || name.startsWith(`${lockKeyPrefix(slug)}:`);
}

/** Pure: a holder that did not renew in time has crashed or lost its connection. */
export function isExpired(holder: LockHolder, now: number): boolean {
  return holder.until <= now;
}

/** `deploy 3f9a0c1d since …, expires …`, for messages. */
export function describeHolder(holder: LockHolder): string {
  const paused = holder.paused ? ', paused between two of its calls' : '';
  return `${holder.op} ${holder.holder} since ${iso(holder.since)}, expires ${iso(holder.until)}${paused}`;
}
