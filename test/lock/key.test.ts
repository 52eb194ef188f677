import ssh2 from 'ssh2';
import { describe, expect, it } from 'vitest';
import { noDeadline } from '../../lib/deadline.js';
import {
  holderName,
  isExpired,
  isLockKeyName,
  lockFingerprint,
  lockPublicKey,
  lockWaitMs,
  lockWaitSchema,
  parseHolder,
} from '../../lib/lock/index.js';
import { publicKeyFingerprint } from '../../lib/resources/ssh-key/index.js';

const SLUG = 'base2-staging';
const holder = {
  op: 'deploy',
  holder: '3f9a0c1d',
  since: Date.UTC(2025, 4, 1, 10),
  until: Date.UTC(2025, 4, 1, 10, 2),
};

describe('lock key', () => {
  it('is the same OpenSSH ed25519 public key for a slug on every machine, and another for another slug', () => {
    const line = lockPublicKey(SLUG);
    expect(lockPublicKey(SLUG)).toBe(line);
    expect(lockPublicKey('base2-production')).not.toBe(line);
    const parsed = ssh2.utils.parseKey(line);
    if (parsed instanceof Error) throw parsed;
    expect(parsed.type).toBe('ssh-ed25519');
    expect(parsed.isPrivateKey()).toBe(false);
    expect(line).toMatch(/^ssh-ed25519 [A-Za-z0-9+/]+=* base2-do-lock:base2-staging$/);
  });

  it('has the fingerprint DigitalOcean gives it, never that of the deployment’s own key', () => {
    expect(lockFingerprint(SLUG)).toBe(publicKeyFingerprint(lockPublicKey(SLUG)));
    expect(lockFingerprint(SLUG)).toMatch(/^([0-9a-f]{2}:){15}[0-9a-f]{2}$/);
  });
});

describe('lock holder in the key name', () => {
  it('round-trips op, holder id, since and until, within DigitalOcean’s 255 characters', () => {
    const name = holderName(SLUG, holder);
    expect(name).toBe(
      'base2-staging-lock: deploy 3f9a0c1d since 2025-05-01T10:00:00.000Z until 2025-05-01T10:02:00.000Z',
    );
    expect(name.length).toBeLessThanOrEqual(255);
    expect(parseHolder(SLUG, name)).toEqual(holder);
    expect(holderName('a'.repeat(32), holder).length).toBeLessThanOrEqual(255);
  });

  it('reads nothing from names it did not write, or from another deployment’s lock', () => {
    expect(parseHolder(SLUG, 'base2-staging-key')).toBeUndefined();
    expect(parseHolder(SLUG, 'base2-staging-lock: someone wrote this')).toBeUndefined();
    expect(parseHolder('base2-stag', holderName(SLUG, holder))).toBeUndefined();
    expect(isLockKeyName(SLUG, holderName(SLUG, holder))).toBe(true);
    expect(isLockKeyName(SLUG, 'base2-staging-key')).toBe(false);
  });

  it('expires at `until`', () => {
    expect(isExpired(holder, holder.until - 1)).toBe(false);
    expect(isExpired(holder, holder.until)).toBe(true);
  });
});

describe('lock_wait', () => {
  const finite = (ms: number) => ({ ...noDeadline(), remainingMs: () => ms });

  it('defaults to a minute without a deadline, and to a third of the time left with one (about 10 s on the web)', () => {
    expect(lockWaitMs(undefined, noDeadline())).toBe(60_000);
    expect(lockWaitMs(undefined, finite(28_000))).toBe(9_333);
    expect(lockWaitMs(undefined, finite(900_000))).toBe(60_000);
  });

  it('takes seconds as asked, never beyond the deadline; 0 fails at once', () => {
    expect(lockWaitMs(0, noDeadline())).toBe(0);
    expect(lockWaitMs(30, finite(10_000))).toBe(10_000);
    expect(lockWaitMs(2.5, noDeadline())).toBe(2_500);
  });

  it('accepts numbers and numeric strings (CLI flags) and refuses anything else', () => {
    expect(lockWaitSchema.parse('15')).toBe(15);
    expect(lockWaitSchema.parse(0)).toBe(0);
    for (const bad of ['soon', -1, 901, '1e3']) expect(lockWaitSchema.safeParse(bad).success).toBe(false);
  });
});
