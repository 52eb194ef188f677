import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConflictError, ToolError } from '../../lib/errors.js';
import { MIN_SECRET_LENGTH, REDACTED, Redactor } from '../../lib/log/redact.js';

const TOKEN = 'dop_v1_4f1e2d3c4b5a69788796a5b4c3d2e1f00112233445566778899aabbccddeeff';
const PEM = generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
const PEM_BODY_LINES = PEM.split('\n').filter((line) => line !== '' && !line.startsWith('-----'));

function redactorWith(...secrets: string[]): Redactor {
  return new Redactor().addAll(secrets);
}

describe('Redactor', () => {
  it('masks a token wherever it appears in a string', () => {
    const r = redactorWith(TOKEN);
    expect(r.redact(TOKEN)).toBe(REDACTED);
    expect(r.redact(`token=${TOKEN}; again ${TOKEN}.`)).toBe(`token=${REDACTED}; again ${REDACTED}.`);
    expect(r.redact(`Bearer ${TOKEN}x`)).toBe(`Bearer ${REDACTED}x`);
  });

  it('leaves text without secrets untouched (same string)', () => {
    const r = redactorWith(TOKEN);
    const text = 'nothing to see here, dop_v1_ is only a prefix';
    expect(r.redact(text)).toBe(text);
  });

  it(`ignores empty and short values (under ${MIN_SECRET_LENGTH} characters) so ordinary text survives`, () => {
    const r = new Redactor().add('').add('   ').add('abc').add('12345').add(undefined).add(null);
    expect(r.size).toBe(0);
    expect(r.redact('abc 12345 abc')).toBe('abc 12345 abc');
    expect(new Redactor().add('123456').size).toBe(1);
  });

  it('masks the base64, base64url and URL-encoded forms of a secret', () => {
    const secret = 'p@ss/w+rd?=&ünïcode~~~';
    const r = redactorWith(secret);
    const forms = [
      Buffer.from(secret).toString('base64'),
      Buffer.from(secret).toString('base64url'),
      encodeURIComponent(secret),
      encodeURIComponent(Buffer.from(secret).toString('base64')),
    ];
    for (const form of forms) {
      const out = r.redact(`before ${form} after`);
      expect(out).toBe(`before ${REDACTED} after`);
    }
  });

  it('masks a secret encoded inside a longer base64 value, at any byte alignment', () => {
    const r = redactorWith(TOKEN);
    for (const prefix of ['', 'u', 'us', 'user:']) {
      const basic = Buffer.from(`${prefix}${TOKEN}`).toString('base64');
      const out = r.redact(`Authorization: Basic ${basic}`);
      expect(out).toContain(REDACTED);
      // What survives is at most the few characters that mix in the prefix or the padding.
      const leftover = out.replace('Authorization: Basic ', '').replace(REDACTED, '');
      expect(leftover.length).toBeLessThanOrEqual(8);
    }
  });

  it('masks a multi-line PEM key whole, line by line and JSON-escaped, but not its armour', () => {
    const r = redactorWith(PEM);
    // The secret is registered trimmed; the key's own trailing newline stays.
    expect(r.redact(PEM)).toBe(`${REDACTED}\n`);
    expect(r.redact(`key:\n${PEM}`)).toBe(`key:\n${REDACTED}\n`);
    for (const line of PEM_BODY_LINES)
      expect(r.redact(`error near "${line}"`)).toBe(`error near "${REDACTED}"`);
    const json = JSON.stringify({ key: PEM });
    expect(r.redact(json)).toBe(`{"key":"${REDACTED}\\n"}`);
    expect(r.redact('-----BEGIN PRIVATE KEY-----')).toBe('-----BEGIN PRIVATE KEY-----');
    const crlf = PEM.replace(/\n/g, '\r\n');
    expect(redactorWith(crlf).redact(PEM)).toBe(`${REDACTED}\n`);
    expect(redactorWith(PEM).redact(crlf)).not.toContain(PEM_BODY_LINES[0]);
  });

  it('merges overlapping and adjacent matches into one mask, leaving no fragment between them', () => {
    const r = redactorWith('abcdefgh', 'efghijkl');
    expect(r.redact('xxabcdefghijklyy')).toBe(`xx${REDACTED}yy`);
    expect(r.redact('abcdefghabcdefgh')).toBe(REDACTED);
  });

  it('masks the end of a cut text when it is the start of a secret or of its encoded forms', () => {
    const r = redactorWith(TOKEN);
    const base64 = Buffer.from(TOKEN).toString('base64');
    expect(r.redactCut(`token=${TOKEN.slice(0, 16)}`)).toBe(`token=${REDACTED}`);
    expect(r.redactCut(`token=${TOKEN.slice(0, 4)}`)).toBe(`token=${REDACTED}`);
    expect(r.redactCut(`auth: ${base64.slice(0, 30)}`)).toBe(`auth: ${REDACTED}`);
    expect(r.redactCut(`whole ${TOKEN} then ${TOKEN.slice(0, 40)}`)).toBe(
      `whole ${REDACTED} then ${REDACTED}`,
    );
    // Three characters are too few to tell a secret from ordinary text, and show little of one.
    expect(r.redactCut(`ends with ${TOKEN.slice(0, 3)}`)).toBe(`ends with ${TOKEN.slice(0, 3)}`);
    // Only a cut is suspect: a whole text that ends like a secret begins is left as it is.
    expect(r.redact(`token=${TOKEN.slice(0, 16)}`)).toBe(`token=${TOKEN.slice(0, 16)}`);
  });

  it('masks the end of a cut text from two characters for a short secret, so at most one shows', () => {
    const r = redactorWith('pw1234');
    expect(r.redactCut('password: pw')).toBe(`password: ${REDACTED}`);
    expect(r.redactCut('password: p')).toBe('password: p');
    expect(r.redactCut('password: pw12')).toBe(`password: ${REDACTED}`);
  });

  it('finds where each secret is, merged as redact masks them', () => {
    const r = redactorWith(TOKEN);
    expect(r.spans(`a ${TOKEN}${TOKEN} b ${TOKEN}`)).toEqual([
      { start: 2, end: 2 + 2 * TOKEN.length },
      { start: 5 + 2 * TOKEN.length, end: 5 + 3 * TOKEN.length },
    ]);
    expect(r.longestVariantBytes).toBeGreaterThanOrEqual(
      Buffer.byteLength(encodeURIComponent(Buffer.from(TOKEN).toString('base64'))),
    );
  });

  it('redactDeep returns a redacted copy of nested objects, arrays, Maps and Sets', () => {
    const r = redactorWith(TOKEN);
    const input = {
      a: TOKEN,
      nested: { list: [1, `x ${TOKEN}`, { deep: [TOKEN] }], ok: true, n: null },
      map: new Map([['k', TOKEN]]),
      set: new Set([TOKEN]),
      [TOKEN]: 'key is secret',
      when: new Date('2025-01-01T00:00:00Z'),
    };
    const out = r.redactDeep(input);
    expect(out.a).toBe(REDACTED);
    expect(out.nested).toEqual({ list: [1, `x ${REDACTED}`, { deep: [REDACTED] }], ok: true, n: null });
    expect(out.map.get('k')).toBe(REDACTED);
    expect([...out.set]).toEqual([REDACTED]);
    expect(Object.keys(out)).toContain(REDACTED);
    expect(out.when).toBe('2025-01-01T00:00:00.000Z');
    expect(input.a).toBe(TOKEN);
    expect(JSON.stringify(r.redactDeep(input))).not.toContain(TOKEN);
  });

  it('redactDeep masks Error messages, stacks, causes and fields, keeping the error type', () => {
    const r = redactorWith(TOKEN);
    const cause = new Error(`upstream said ${TOKEN}`);
    const error = new ConflictError(`name taken; token ${TOKEN}`, { hint: `retry with ${TOKEN}`, cause });
    const out = r.redactDeep(error);
    expect(out).toBeInstanceOf(ConflictError);
    expect(out).toBeInstanceOf(ToolError);
    expect(out.message).toBe(`name taken; token ${REDACTED}`);
    expect(out.hint).toBe(`retry with ${REDACTED}`);
    expect(out.stack ?? '').not.toContain(TOKEN);
    expect((out.cause as Error).message).toBe(`upstream said ${REDACTED}`);
    expect(out.toJSON()).toEqual({
      kind: 'conflict',
      message: `name taken; token ${REDACTED}`,
      hint: `retry with ${REDACTED}`,
    });
    expect(out.describe()).not.toContain(TOKEN);
    expect(error.message).toContain(TOKEN);
  });

  it('redactDeep survives cycles', () => {
    const r = redactorWith(TOKEN);
    const a: Record<string, unknown> = { s: TOKEN };
    a.self = a;
    const out = r.redactDeep(a);
    expect(out.s).toBe(REDACTED);
    expect(out.self).toBe(out);
  });

  it('stays fast with thousands of secrets sharing a prefix', () => {
    const r = new Redactor();
    const tokens = Array.from({ length: 2000 }, (_, i) => `dop_v1_${i.toString(16).padStart(64, '0')}`);
    const registering = performance.now();
    r.addAll(tokens);
    const registered = performance.now() - registering;
    const text = `${'GET /v2/droplets dop_v1_ looks like a token prefix 12345 '.repeat(2000)}${tokens[1234]} end`;
    const started = performance.now();
    const out = r.redact(text);
    const elapsed = performance.now() - started;
    expect(out.endsWith(`${REDACTED} end`)).toBe(true);
    expect(out).not.toContain(tokens[1234]);
    expect(registered).toBeLessThan(1000);
    expect(elapsed).toBeLessThan(100);
  });
});
