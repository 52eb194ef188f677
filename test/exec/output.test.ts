import { describe, expect, it } from 'vitest';
import { mapLimit } from '../../lib/exec/concurrency.js';
import { sameFingerprint, sha256Fingerprint } from '../../lib/exec/fingerprint.js';
import { CappedOutput } from '../../lib/exec/output.js';
import { REDACTED, Redactor } from '../../lib/log/redact.js';

describe('CappedOutput', () => {
  it('keeps everything under the cap, unmarked', () => {
    const out = new CappedOutput(10);
    out.append(Buffer.from('abc'));
    out.append('def');
    expect(out.truncated).toBe(false);
    expect(out.text()).toBe('abcdef');
  });

  it('keeps the first bytes and says how many more there were', () => {
    const out = new CappedOutput(4);
    out.append('abcdef');
    out.append('ghi');
    expect(out.truncated).toBe(true);
    expect(out.text()).toBe('abcd\n[output truncated: 5 more bytes not kept]\n');
  });

  it('never cuts a UTF-8 character in two', () => {
    const out = new CappedOutput(4);
    out.append('aé€');
    expect(out.text()).toBe('aé\n[output truncated: 3 more bytes not kept]\n');
  });
});

describe('CappedOutput with a redactor', () => {
  const SECRET = 'planted-exec-secret-0123456789abc';

  it('masks a secret the cap cuts through, whole, and counts only what follows it as not kept', () => {
    const out = new CappedOutput(21, new Redactor().add(SECRET));
    for (const chunk of ['head-', SECRET.slice(0, 10), SECRET.slice(10), ' tail']) out.append(chunk);
    expect(SECRET.length).toBe(33);
    expect(out.truncated).toBe(true);
    expect(out.text()).toBe(`head-${REDACTED}\n[output truncated: 5 more bytes not kept]\n`);
  });

  it('masks secrets before the cap and keeps the cap on the text it shows', () => {
    const out = new CappedOutput(60, new Redactor().add(SECRET));
    out.append(`${SECRET} ${'x'.repeat(100)}`);
    const text = out.text();
    expect(text).toBe(`${REDACTED} ${'x'.repeat(26)}\n[output truncated: 74 more bytes not kept]\n`);
  });

  it('masks the start of a secret at the cut when the rest was never kept (a secret learned later)', () => {
    const redactor = new Redactor();
    const out = new CappedOutput(21, redactor);
    out.append(`head-${SECRET} tail`);
    redactor.add(SECRET);
    expect(out.text()).toBe(`head-${REDACTED}\n[output truncated: 22 more bytes not kept]\n`);
  });

  it('masks the start of a secret at the end of output stopped mid-way, not of output that ended', () => {
    const out = new CappedOutput(1000, new Redactor().add(SECRET));
    out.append(`begun ${SECRET.slice(0, 12)}`);
    expect(out.cutText()).toBe(`begun ${REDACTED}`);
    expect(out.text()).toBe(`begun ${SECRET.slice(0, 12)}`);
  });
});

describe('sha256Fingerprint', () => {
  it('is OpenSSH’s SHA256 form, unpadded, and compares with or without padding', () => {
    const fingerprint = sha256Fingerprint(Buffer.from('key blob'));
    expect(fingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    expect(sameFingerprint(fingerprint, `${fingerprint}=`)).toBe(true);
    expect(sameFingerprint(fingerprint, sha256Fingerprint(Buffer.from('other')))).toBe(false);
  });
});

describe('mapLimit', () => {
  it('never runs more than the limit at once and keeps the order of the items', async () => {
    let running = 0;
    let most = 0;
    const results = await mapLimit([5, 1, 4, 2, 3, 0], 2, async (n) => {
      running++;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, n * 3));
      running--;
      return n * 10;
    });
    expect(results).toEqual([50, 10, 40, 20, 30, 0]);
    expect(most).toBe(2);
  });
});
