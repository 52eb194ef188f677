import { describe, expect, it } from 'vitest';
import { settleAll } from '../../lib/resources/settle.js';

describe('settleAll', () => {
  it('returns every part’s items in order', async () => {
    expect(await settleAll([Promise.resolve([1, 2]), Promise.resolve([3])])).toEqual([1, 2, 3]);
  });

  it('throws the first failure only once every part has finished, keeping what the others did', async () => {
    let lateDone = false;
    const late = new Promise<number[]>((resolve) =>
      setTimeout(() => {
        lateDone = true;
        resolve([9]);
      }, 20),
    );
    const into: number[] = [0];
    const attempt = settleAll(
      [Promise.reject(new Error('first')), late, Promise.reject(new Error('second'))],
      into,
    );
    await expect(attempt).rejects.toThrow('first');
    expect(lateDone).toBe(true);
    expect(into).toEqual([0, 9]);
  });
});
