import type { OpContext } from '../ops/types.js';
import type { Readiness } from './types.js';

/**
 * Polls `check` until it is ready or failed, backing off from `pollInitialMs` to `pollMaxMs`.
 * When the deadline would pass before the next poll it returns the last `pending` answer, so
 * the operation can report `in_progress` and be called again. A check that knows when it
 * expects to be done (`etaMs`) is polled then, so waits do not overshoot by a whole interval.
 */
export async function waitFor(
  ctx: OpContext,
  what: string,
  check: () => Promise<Readiness>,
): Promise<Readiness> {
  let interval = ctx.tuning.pollInitialMs;
  for (;;) {
    const state = await check();
    if (state.state !== 'pending') return state;
    ctx.progress({
      step: what,
      detail: state.detail,
      ...(state.fraction === undefined ? {} : { fraction: state.fraction }),
    });
    const pause = Math.min(interval, Math.max(ctx.tuning.pollInitialMs, state.etaMs ?? interval));
    if (ctx.deadline.remainingMs() <= pause) return state;
    try {
      await ctx.clock.sleep(pause, ctx.deadline.signal);
    } catch {
      return state;
    }
    interval = Math.min(ctx.tuning.pollMaxMs, interval * 1.5);
  }
}
