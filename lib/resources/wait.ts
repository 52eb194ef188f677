import { isDotsError, isUnclearFailure, toToolError } from '../do/index.js';
import { isToolError } from '../errors.js';
import type { OpContext } from '../ops/types.js';
import type { Readiness } from './types.js';

/**
 * Polls `check` until it is ready or failed, backing off from `pollInitialMs` to `pollMaxMs`.
 * When the deadline would pass before the next poll it returns the last `pending` answer, so
 * the operation can report `in_progress` and be called again. A check that knows when it
 * expects to be done (`etaMs`) is polled then, so waits do not overshoot by a whole interval.
 * Every such wait is on DigitalOcean's own work, so its time is platform wait, not tool time.
 */
export function waitFor(ctx: OpContext, what: string, check: () => Promise<Readiness>): Promise<Readiness> {
  return ctx.timing.waiting('platform', () => poll(ctx, what, check));
}

async function poll(ctx: OpContext, what: string, check: () => Promise<Readiness>): Promise<Readiness> {
  let interval = ctx.tuning.pollInitialMs;
  for (;;) {
    const state = await checkOnce(what, check);
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

/**
 * One poll. A read that failed in a way that passes (a 5xx or no answer, after the transport's own
 * retries) is not the end of the wait: it counts as still pending and is tried again at the next
 * poll, until the deadline. Anything else (a 404, a refusal) ends it as before.
 */
async function checkOnce(what: string, check: () => Promise<Readiness>): Promise<Readiness> {
  try {
    return await check();
  } catch (raw) {
    if (!isToolError(raw) && !isDotsError(raw)) throw raw;
    const error = toToolError(raw, { action: 'read', resource: what });
    if (!isUnclearFailure(error)) throw raw;
    return {
      state: 'pending',
      detail: `${what}: DigitalOcean did not answer (${error.message}); trying again`,
    };
  }
}
