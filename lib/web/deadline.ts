/**
 * How long an invocation may keep working. A web call must answer within about 30 s (after that
 * DigitalOcean turns the call asynchronous, and web callers get no result), and any call must end
 * before the function's own timeout; a reserve is kept back so the function can still shape and
 * return its answer (`status: in_progress`, an error) instead of being cut off mid-sentence.
 */
import type { Clock } from '../clock.js';
import { sharedController } from '../deadline.js';
import { TimeoutError } from '../errors.js';

/** The parts of DigitalOcean's invocation context that tell the time left. */
export interface TimedContext {
  getRemainingTimeInMillis?: () => number;
  /** Epoch milliseconds at which the platform stops the activation. */
  deadline?: number | string;
}

export interface Deadline {
  /** Milliseconds left before the work must stop (never negative; Infinity when unbounded). */
  remainingMs(): number;
  expired(): boolean;
  /** Aborts when the deadline passes, with a TimeoutError as its reason. */
  readonly signal: AbortSignal;
  /** Epoch milliseconds of the deadline. */
  readonly at: number;
  /** Stops the timer behind `signal`; call once the invocation has answered. */
  dispose(): void;
}

export interface DeadlineOptions {
  /**
   * Kept back from the time left for answering; when little time is left, a tenth of it at most
   * (shaping and returning an answer takes milliseconds, and a fixed reserve would leave a short
   * invocation, say a web call of a few seconds, almost nothing to work with).
   */
  reserveMs: number;
  /** Upper bound for web calls; pass Infinity for a direct invocation. */
  webLimitMs?: number;
  clock: Clock;
}

export const WEB_LIMIT_MS = 30_000;
/** The largest share of the time left that the reserve takes. */
const RESERVE_SHARE = 0.1;

export function deadlineFrom(context: TimedContext | undefined, options: DeadlineOptions): Deadline {
  const { clock, reserveMs } = options;
  const webLimitMs = options.webLimitMs ?? WEB_LIMIT_MS;
  const start = clock.now();
  const total = Math.min(platformRemaining(context, start), webLimitMs);
  const budget = total - Math.min(reserveMs, Math.max(0, total) * RESERVE_SHARE);
  // Unbounded only when neither the platform nor the caller gives a limit (local runs).
  const at = Number.isFinite(budget) ? start + Math.max(0, budget) : Number.POSITIVE_INFINITY;

  const controller = sharedController();
  const timer = new AbortController();
  const remainingMs = () => Math.max(0, at - clock.now());
  const abort = () =>
    controller.abort(
      new TimeoutError(`The invocation reached its deadline (${Math.round(budget)} ms of work).`),
    );
  if (remainingMs() === 0) abort();
  else if (Number.isFinite(budget)) {
    clock.sleep(remainingMs(), timer.signal).then(abort, () => undefined);
  }

  return {
    remainingMs,
    expired: () => remainingMs() === 0,
    signal: controller.signal,
    at,
    dispose: () => timer.abort(),
  };
}

function platformRemaining(context: TimedContext | undefined, now: number): number {
  if (typeof context?.getRemainingTimeInMillis === 'function') {
    const left = Number(context.getRemainingTimeInMillis());
    if (Number.isFinite(left)) return left;
  }
  const deadline = Number(context?.deadline);
  if (context?.deadline !== undefined && Number.isFinite(deadline)) return deadline - now;
  return Number.POSITIVE_INFINITY;
}
