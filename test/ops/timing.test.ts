import { describe, expect, it } from 'vitest';
import type { Clock } from '../../lib/clock.js';
import { createTiming } from '../../lib/ops/timing.js';

/** A clock the test moves by hand (pure accounting: no time passes on its own). */
function manualClock(): Clock & { advance(ms: number): void } {
  let now = 0;
  return {
    now: () => now,
    sleep: async () => undefined,
    advance: (ms) => {
      now += ms;
    },
  };
}

describe('operation timing', () => {
  it('counts waits that run side by side, or one inside another, once', async () => {
    const clock = manualClock();
    const timing = createTiming(clock);
    let release!: () => void;
    const outer = timing.waiting('platform', () => new Promise<void>((resolve) => (release = resolve)));
    clock.advance(100);
    await timing.waiting('platform', async () => clock.advance(50));
    clock.advance(30);
    release();
    await outer;
    clock.advance(1000);
    expect(timing.platformWaitMs).toBe(180);
    expect(timing.waitMs).toBe(180);
  });

  it('keeps lock waits apart from platform waits, and a wait that throws still counts', async () => {
    const clock = manualClock();
    const timing = createTiming(clock);
    await timing.waiting('lock', async () => clock.advance(400));
    clock.advance(10);
    await expect(
      timing.waiting('platform', async () => {
        clock.advance(70);
        throw new Error('refused');
      }),
    ).rejects.toThrow('refused');
    expect(timing.lockWaitMs).toBe(400);
    expect(timing.platformWaitMs).toBe(70);
    expect(timing.waitMs).toBe(470);
  });
});
