import { describe, expect, it } from 'vitest';
import { fitBody } from '../../lib/web/truncate.js';

const size = (value: unknown) => Buffer.byteLength(JSON.stringify(value));

describe('fitBody', () => {
  it('returns a body that fits unchanged', () => {
    const body = { a: 'x'.repeat(100) };
    expect(fitBody(body, 1_000)).toEqual({ body, bytes: size(body), truncated: false });
  });

  it('shortens long strings first, keeping as much as fits', () => {
    const fitted = fitBody({ stdout: 'y'.repeat(50_000), exit_code: 0 }, 10_000);
    expect(fitted.truncated).toBe(true);
    expect(fitted.bytes).toBeLessThanOrEqual(10_000);
    expect(fitted.bytes).toBeGreaterThan(9_000);
    expect(fitted.body).toMatchObject({
      exit_code: 0,
      truncated: true,
      truncation: { original_bytes: size({ stdout: 'y'.repeat(50_000), exit_code: 0 }) },
    });
  });

  it('then keeps lists to their first items when many small entries are the problem', () => {
    const droplets = Array.from({ length: 5_000 }, (_, i) => ({ id: i, name: `base2-staging-web-${i}` }));
    const fitted = fitBody({ droplets }, 20_000);
    const kept = (fitted.body as { droplets: unknown[] }).droplets;
    expect(fitted.bytes).toBeLessThanOrEqual(20_000);
    expect(kept.length).toBeGreaterThan(100);
    expect(kept[0]).toEqual({ id: 0, name: 'base2-staging-web-0' });
    expect((fitted.body as { truncation: { how: string } }).truncation.how).toContain('first');
  });

  it('wraps non-object bodies and gives up visibly when nothing fits', () => {
    const list = fitBody(
      Array.from({ length: 1_000 }, () => 'z'.repeat(300)),
      5_000,
    );
    expect(list.body).toMatchObject({ truncated: true, value: expect.any(Array) });
    const hopeless = fitBody({ key: 'v'.repeat(1_000) }, 50);
    expect(hopeless.truncated).toBe(true);
    expect(hopeless.body).toMatchObject({ truncated: true });
  });
});
