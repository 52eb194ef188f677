import { timingSafeEqual } from 'node:crypto';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { AuthError } from '../../lib/errors.js';
import { checkSecret, SECRET_HEADER, secretsEqual } from '../../lib/web/auth.js';

vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:crypto')>();
  return { ...actual, timingSafeEqual: vi.fn(actual.timingSafeEqual) };
});

const SECRET = 'web-secret-3f9a1c77e2';

function refusal(run: () => void): AuthError {
  try {
    run();
  } catch (error) {
    if (error instanceof AuthError) return error;
    throw error;
  }
  throw new Error('expected an AuthError');
}

describe('checkSecret', () => {
  beforeEach(() => {
    vi.mocked(timingSafeEqual).mockClear();
  });

  it('accepts the secret in X-Require-Whisk-Auth', () => {
    expect(() => checkSecret({ [SECRET_HEADER]: SECRET }, SECRET)).not.toThrow();
  });

  it('accepts Authorization: Bearer <secret>, whatever the scheme case', () => {
    expect(() => checkSecret({ authorization: `Bearer ${SECRET}` }, SECRET)).not.toThrow();
    expect(() => checkSecret({ Authorization: `bearer ${SECRET}` }, SECRET)).not.toThrow();
  });

  it('refuses a missing secret with a 401 that names the header but never the value', () => {
    const error = refusal(() => checkSecret({ accept: '*/*' }, SECRET));
    expect(error.statusCode).toBe(401);
    expect(error.describe()).toContain('X-Require-Whisk-Auth'.toLowerCase());
    expect(JSON.stringify(error.toJSON())).not.toContain(SECRET);
  });

  it('refuses a wrong secret, including prefixes, longer values and other schemes', () => {
    for (const headers of [
      { [SECRET_HEADER]: 'nope' },
      { [SECRET_HEADER]: SECRET.slice(0, -1) },
      { [SECRET_HEADER]: `${SECRET}x` },
      { authorization: `Basic ${SECRET}` },
      { [SECRET_HEADER]: '' },
    ]) {
      const error = refusal(() => checkSecret(headers, SECRET));
      expect(error.statusCode).toBe(401);
      expect(`${error.describe()} ${JSON.stringify(error.toJSON())}`).not.toContain(SECRET);
    }
  });

  it('compares 32-byte SHA-256 digests with crypto.timingSafeEqual, so length does not leak', () => {
    secretsEqual('short', SECRET);
    checkSecret({ [SECRET_HEADER]: SECRET }, SECRET);
    const calls = vi.mocked(timingSafeEqual).mock.calls;
    expect(calls.length).toBeGreaterThanOrEqual(2);
    for (const [a, b] of calls) {
      expect((a as Buffer).length).toBe(32);
      expect((b as Buffer).length).toBe(32);
    }
    expect(secretsEqual('short', SECRET)).toBe(false);
    expect(secretsEqual(SECRET, SECRET)).toBe(true);
  });
});
