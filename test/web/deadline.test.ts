import { describe, expect, it } from 'vitest';
import { TimeoutError } from '../../lib/errors.js';
import { deadlineFrom } from '../../lib/web/deadline.js';
import { ManualClock } from '../log/manual-clock.js';
import { functionContext } from './fixtures/events.js';

describe('deadlineFrom', () => {
  it('takes the web limit when the function has more time, minus the reserve', () => {
    const clock = new ManualClock();
    const deadline = deadlineFrom(
      functionContext(() => clock.now(), 60_000),
      { reserveMs: 2_000, clock },
    );
    expect(deadline.remainingMs()).toBe(28_000);
    deadline.dispose();
  });

  it("takes the function's remaining time when it is shorter than the web limit", () => {
    const clock = new ManualClock();
    const deadline = deadlineFrom(
      functionContext(() => clock.now(), 20_000),
      { reserveMs: 1_500, clock },
    );
    expect(deadline.remainingMs()).toBe(18_500);
    expect(deadline.at).toBe(clock.now() + 18_500);
    deadline.dispose();
  });

  it('falls back to the context deadline (epoch ms) and ignores the web limit when told to', () => {
    const clock = new ManualClock();
    const context = { deadline: clock.now() + 600_000 };
    const deadline = deadlineFrom(context, { reserveMs: 5_000, webLimitMs: Number.POSITIVE_INFINITY, clock });
    expect(deadline.remainingMs()).toBe(595_000);
    deadline.dispose();
    const unbounded = deadlineFrom(undefined, { reserveMs: 0, webLimitMs: Number.POSITIVE_INFINITY, clock });
    expect(unbounded.remainingMs()).toBe(Number.POSITIVE_INFINITY);
    expect(unbounded.expired()).toBe(false);
  });

  it('counts down with the clock and aborts its signal with a TimeoutError when it passes', async () => {
    const clock = new ManualClock();
    const deadline = deadlineFrom(
      functionContext(() => clock.now(), 30_000),
      { reserveMs: 2_000, clock },
    );
    await clock.advance(25_000);
    expect(deadline.remainingMs()).toBe(3_000);
    expect(deadline.signal.aborted).toBe(false);
    await clock.advance(3_000);
    expect(deadline.expired()).toBe(true);
    expect(deadline.remainingMs()).toBe(0);
    expect(deadline.signal.aborted).toBe(true);
    expect(deadline.signal.reason).toBeInstanceOf(TimeoutError);
  });

  it('keeps back at most a tenth when little time is left, and is expired when none is', () => {
    const clock = new ManualClock();
    const short = deadlineFrom(
      functionContext(() => clock.now(), 3_000),
      { reserveMs: 2_000, clock },
    );
    expect(short.remainingMs()).toBe(2_700);
    short.dispose();
    const none = deadlineFrom(
      functionContext(() => clock.now(), 0),
      { reserveMs: 2_000, clock },
    );
    expect(none.expired()).toBe(true);
    expect(none.signal.aborted).toBe(true);
  });

  it('stops its timer on dispose', async () => {
    const clock = new ManualClock();
    const deadline = deadlineFrom(
      functionContext(() => clock.now()),
      { reserveMs: 0, webLimitMs: 1_000, clock },
    );
    expect(clock.pending).toBe(1);
    deadline.dispose();
    await clock.advance(0);
    expect(clock.pending).toBe(0);
    await clock.advance(5_000);
    expect(deadline.signal.aborted).toBe(false);
  });
});
