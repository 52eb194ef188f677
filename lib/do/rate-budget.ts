/**
 * The rate-limit budget shared by every request of one client. DigitalOcean answers 429 once a
 * token exceeds its hourly budget (announced in `ratelimit-*` headers) or 250 requests a minute
 * (not announced), so we slow down before either happens:
 * - a local sliding-minute cap;
 * - the server's budget: once `ratelimit-remaining` drops into the reserve, requests are spaced so
 *   the rest lasts until `ratelimit-reset`, and none start while it is spent;
 * - after a 429, nobody starts before the time the server named.
 * While the budget is unknown (first request, or its reset time has passed) one request goes
 * first and the others wait for its answer, so a burst cannot overrun a budget we have not seen.
 * A wait longer than `maxWaitMs` (an hourly budget spent) fails at once instead: a web function
 * has 30 s, and the caller is better told when to come back.
 */
import type { Clock } from '../clock.js';

export interface RateBudgetOptions {
  clock: Clock;
  /** Requests allowed to start in any 60-second window. */
  perMinute?: number;
  /** Share of the server's limit held in reserve, where pacing starts. */
  reserveRatio?: number;
  /** The longest a request may be held back. Default 60 s. */
  maxWaitMs?: number;
}

/** Thrown by acquire when the next slot is further away than `maxWaitMs`. */
export class BudgetExhausted extends Error {
  constructor(readonly until: number) {
    super(`the token's rate limit is used up until ${new Date(until).toISOString().slice(11, 19)} UTC`);
    this.name = 'BudgetExhausted';
  }
}

export interface RateTicket {
  /** Call once the request ended, with the response headers when there was a response. */
  done(headers?: Headers): void;
}

interface ServerBudget {
  limit: number;
  remaining: number;
  /** Local epoch ms. */
  resetAt: number;
}

const minuteMs = 60_000;
const maxUnhintedPauseMs = 60_000;

export function numberHeader(headers: Headers, name: string): number | undefined {
  const value = headers.get(name);
  if (value === null || value.trim() === '') return undefined;
  const parsed = Number(value);
  return Number.isFinite(parsed) ? parsed : undefined;
}

function abortable(promise: Promise<void>, signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

export class RateBudget {
  private readonly clock: Clock;
  private readonly perMinute: number;
  private readonly reserveRatio: number;
  readonly maxWaitMs: number;
  private readonly starts: number[] = [];
  private server: ServerBudget | undefined;
  private pausedUntil = 0;
  private nextPacedAt = 0;
  private inFlight = 0;
  private answered = false;
  private probe: { promise: Promise<void>; end: () => void } | undefined;
  /** Requests take their turn in order, so pacing slots are handed out one at a time. */
  private queue: Promise<void> = Promise.resolve();

  constructor(options: RateBudgetOptions) {
    this.clock = options.clock;
    this.perMinute = options.perMinute ?? 250;
    this.reserveRatio = options.reserveRatio ?? 0.1;
    this.maxWaitMs = options.maxWaitMs ?? 60_000;
  }

  async acquire(signal?: AbortSignal): Promise<RateTicket> {
    const turn = this.queue.then(() => this.waitForSlot(signal));
    this.queue = turn.catch(() => undefined);
    await turn;
    this.inFlight += 1;
    let ended = false;
    return {
      done: (headers) => {
        if (ended) return;
        ended = true;
        this.inFlight -= 1;
        if (headers) {
          this.answered = true;
          this.observe(headers);
        }
        this.probe?.end();
        this.probe = undefined;
      },
    };
  }

  /**
   * After a 429: pause every request until `retry-after` (seconds) or `ratelimit-reset` (epoch
   * seconds), or, with neither, for an exponentially growing minute-capped pause. Returns the pause.
   */
  rateLimited(headers: Headers, attempt: number): number {
    const now = this.clock.now();
    const retryAfter = numberHeader(headers, 'retry-after');
    const resetAt = this.resetTime(headers, now);
    const until =
      retryAfter !== undefined
        ? now + retryAfter * 1000
        : resetAt !== undefined
          ? resetAt
          : now + Math.min(maxUnhintedPauseMs, 1000 * 2 ** (attempt - 1));
    this.pausedUntil = Math.max(this.pausedUntil, until);
    return Math.max(0, until - now);
  }

  private reserve(limit: number): number {
    return Math.max(1, Math.ceil(limit * this.reserveRatio));
  }

  private needsProbe(now: number): boolean {
    return !this.answered || (this.server !== undefined && now >= this.server.resetAt);
  }

  private async waitForSlot(signal: AbortSignal | undefined): Promise<void> {
    for (;;) {
      signal?.throwIfAborted();
      const now = this.clock.now();
      const wait = this.delay(now);
      if (wait > this.maxWaitMs) throw new BudgetExhausted(now + wait);
      if (wait > 0) {
        await this.clock.sleep(wait, signal);
        continue;
      }
      if (this.needsProbe(now)) {
        if (this.probe) {
          await abortable(this.probe.promise, signal);
          continue;
        }
        let end = () => {};
        const promise = new Promise<void>((resolve) => {
          end = resolve;
        });
        this.probe = { promise, end };
      }
      this.take(now);
      return;
    }
  }

  private delay(now: number): number {
    while (this.starts.length > 0 && (this.starts[0] ?? 0) <= now - minuteMs) this.starts.shift();
    let wait = this.pausedUntil - now;
    if (this.starts.length >= this.perMinute) wait = Math.max(wait, (this.starts[0] ?? now) + minuteMs - now);
    const server = this.server;
    if (server && now < server.resetAt) {
      if (server.remaining <= 0) wait = Math.max(wait, server.resetAt - now);
      else if (server.remaining <= this.reserve(server.limit)) wait = Math.max(wait, this.nextPacedAt - now);
    }
    return wait;
  }

  private take(now: number): void {
    this.starts.push(now);
    const server = this.server;
    if (!server || now >= server.resetAt) return;
    server.remaining -= 1;
    if (server.remaining <= this.reserve(server.limit)) {
      this.nextPacedAt = now + (server.resetAt - now) / Math.max(1, server.remaining);
    }
  }

  /** `ratelimit-reset` in local time, corrected by the response's `date` for clock skew. */
  private resetTime(headers: Headers, now: number): number | undefined {
    const reset = numberHeader(headers, 'ratelimit-reset');
    if (reset === undefined) return undefined;
    const serverNow = Date.parse(headers.get('date') ?? '');
    // `date` has whole seconds, truncated, so the skew-corrected time errs late, never early.
    return Number.isFinite(serverNow) ? now + (reset * 1000 - serverNow) : reset * 1000;
  }

  private observe(headers: Headers): void {
    const limit = numberHeader(headers, 'ratelimit-limit');
    const remaining = numberHeader(headers, 'ratelimit-remaining');
    const resetAt = this.resetTime(headers, this.clock.now());
    if (limit === undefined || remaining === undefined || resetAt === undefined) {
      // A server that stopped announcing its budget must not keep us probing one request at a time.
      if (this.server && this.clock.now() >= this.server.resetAt) this.server = undefined;
      return;
    }
    // Requests still in flight may not be counted in this answer yet: assume they are not.
    const left = Math.max(0, remaining - this.inFlight);
    const current = this.server;
    if (!current || resetAt > current.resetAt + 999) {
      this.server = { limit, remaining: left, resetAt };
    } else if (resetAt >= current.resetAt - 999) {
      current.limit = limit;
      current.remaining = Math.min(current.remaining, left);
    }
  }
}
