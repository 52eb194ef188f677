import { describe, expect, it } from 'vitest';
import { mapLimit } from '../../lib/exec/concurrency.js';
import { sameFingerprint, sha256Fingerprint } from '../../lib/exec/fingerprint.js';
import { CappedOutput } from '../../lib/exec/output.js';

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
