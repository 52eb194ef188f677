/**
 * The rate-limit budget of one token, shared by every client of a process that uses it (see
 * shared-budget.ts). DigitalOcean answers 429 once a token exceeds its hourly quota (announced in
 * `ratelimit-*` headers) or its per-minute limit (not announced), so we slow down before either:
 * - a sliding-minute cap at 90% of the configured limit (other clients may share the token), or
 *   of the lower limit a 429 revealed;
 * - the hourly quota: once `ratelimit-remaining` drops into the reserve, requests are spaced so
 *   the rest lasts until `ratelimit-reset`, and none start while it is spent;
 * - after a 429 ("probe" mode): nobody starts before the time the server named; then one request
 *   goes alone, and only when it gets through are the others released, spaced out.
 * While the quota is unknown (first request, or its reset time has passed) one request goes first
 * too, so a burst cannot overrun a budget we have not seen.
 */
import type { Clock } from '../clock.js';
import { minuteMs, numberHeader, resetTime, revealedLimit, windowWait } from './rate-window.js';

export interface RateBudgetOptions {
  clock: Clock;
  /** Requests the token may start in any 60-second window (DO_RATE_LIMIT_PER_MINUTE). Default 250. */
  perMinute?: number;
  /** Share of the per-minute limit this process uses; the rest is headroom for other clients. Default 0.9. */
  minuteShare?: number;
  /** Share of the hourly quota held in reserve, where pacing starts. Default 0.1. */
  reserveRatio?: number;
}

/** Thrown by acquire when no request may start before the caller's limit. */
export class BudgetExhausted extends Error {
  constructor(readonly until: number) {
    super(`the token's rate limit is used up until ${new Date(until).toISOString().slice(11, 19)} UTC`);
    this.name = 'BudgetExhausted';
  }
}

export interface RateTicket {
  /** The request got an answer. Returns how long every request is now held back (a 429's pause), else 0. */
  answered(status: number, headers: Headers): number;
  /** The request got no answer (network failure, timeout, abort). */
  failed(): void;
}

interface ServerBudget {
  limit: number;
  remaining: number;
  /** Local epoch ms. */
  resetAt: number;
}

const maxUnhintedPauseMs = 60_000;
/** A limit a 429 revealed is trusted until this long passes without another 429. */
const revealedLimitTtlMs = 5 * minuteMs;

export class RateBudget {
  private readonly clock: Clock;
  private perMinute: number;
  private readonly minuteShare: number;
  private readonly reserveRatio: number;
  /** When requests the server counted ended, within the last minute, ascending. */
  private readonly stamps: number[] = [];
  private inFlight = 0;
  private server: ServerBudget | undefined;
  private nextPacedAt = 0;
  private answeredOnce = false;
  private pausedUntil = 0;
  /** After a 429, until a probe gets through. */
  private probing = false;
  private probeOut = false;
  /** 429s since the last probe got through, for pauses the server gave no time for. */
  private strikes = 0;
  private last429At = Number.NEGATIVE_INFINITY;
  private revealed: number | undefined;
  /** The requests held back by a 429 leave one gap apart, until none is left waiting. */
  private releasing = false;
  private nextReleaseAt = 0;
  private waiting = 0;
  private readonly onEnd = new Set<() => void>();
  /** Requests take their turn in order, so slots are handed out one at a time. */
  private queue: Promise<void> = Promise.resolve();

  constructor(options: RateBudgetOptions) {
    this.clock = options.clock;
    this.perMinute = options.perMinute ?? 250;
    this.minuteShare = options.minuteShare ?? 0.9;
    this.reserveRatio = options.reserveRatio ?? 0.1;
  }

  /** A later client of the same token may be configured differently: the latest setting holds. */
  configure(options: { perMinute?: number }): void {
    if (options.perMinute !== undefined) this.perMinute = options.perMinute;
  }

  /** Requests this process may start in a minute now. */
  minuteCap(now = this.clock.now()): number {
    if (now - this.last429At > revealedLimitTtlMs) this.revealed = undefined;
    const limit = Math.min(this.perMinute, this.revealed ?? Number.POSITIVE_INFINITY);
    return Math.max(1, Math.floor(limit * this.minuteShare));
  }

  /** Waits for a slot; throws BudgetExhausted when none comes before `notAfter` (epoch ms). */
  async acquire(signal?: AbortSignal, notAfter = Number.POSITIVE_INFINITY): Promise<RateTicket> {
    this.waiting += 1;
    const turn = this.queue.then(() => this.waitForSlot(signal, notAfter));
    this.queue = turn.then(
      () => undefined,
      () => undefined,
    );
    let probe: boolean;
    try {
      probe = await turn;
    } finally {
      this.waiting -= 1;
    }
    let ended = false;
    const end = () => {
      if (ended) return false;
      ended = true;
      this.inFlight -= 1;
      if (probe) this.probeOut = false;
      return true;
    };
    return {
      answered: (status, headers) => {
        if (!end()) return 0;
        const pause = this.settle(status, headers, probe);
        this.wake();
        return pause;
      },
      failed: () => {
        if (!end()) return;
        // The server may have counted it before the connection broke.
        this.stamps.push(this.clock.now());
        this.wake();
      },
    };
  }

  private settle(status: number, headers: Headers, probe: boolean): number {
    const now = this.clock.now();
    this.answeredOnce = true;
    this.observe(headers, now);
    if (status === 429) return this.rateLimited(headers, now);
    this.stamps.push(now);
    if (probe && this.probing) {
      this.probing = false;
      this.strikes = 0;
      this.releasing = true;
      this.nextReleaseAt = now + this.releaseGap(now);
    }
    return 0;
  }

  /**
   * Pauses every request until `retry-after` (seconds) or `ratelimit-reset` (epoch seconds), or,
   * with neither, for an exponentially growing minute-capped pause; then probe mode.
   */
  private rateLimited(headers: Headers, now: number): number {
    this.strikes += 1;
    this.last429At = now;
    const retryAfter = numberHeader(headers, 'retry-after');
    const resetAt = resetTime(headers, now);
    const until =
      retryAfter !== undefined
        ? now + retryAfter * 1000
        : (resetAt ?? now + Math.min(maxUnhintedPauseMs, 1000 * 2 ** (this.strikes - 1)));
    this.pausedUntil = Math.max(this.pausedUntil, until);
    this.probing = true;
    this.releasing = false;
    // With the hourly quota spent, the minute says nothing.
    if (numberHeader(headers, 'ratelimit-remaining') !== 0) {
      this.prune(now);
      const limit = revealedLimit(this.stamps, until);
      if (limit !== undefined) this.revealed = Math.min(this.perMinute, limit);
    }
    return Math.max(0, until - now);
  }

  private async waitForSlot(signal: AbortSignal | undefined, notAfter: number): Promise<boolean> {
    for (;;) {
      signal?.throwIfAborted();
      const now = this.clock.now();
      const wait = this.delay(now);
      if (wait <= 0) return this.take(now);
      // An endless wait is for a request in flight (the probe) to end, which its timeout bounds.
      if (now + wait > notAfter && Number.isFinite(wait)) throw new BudgetExhausted(now + wait);
      await this.rest(wait, signal);
    }
  }

  private mustProbe(now: number): boolean {
    return this.probing || !this.answeredOnce || (this.server !== undefined && now >= this.server.resetAt);
  }

  /** Milliseconds until a request may start; Infinity while only a request ending can change that. */
  private delay(now: number): number {
    this.prune(now);
    if (this.mustProbe(now) && this.probeOut) return Number.POSITIVE_INFINITY;
    let wait = Math.max(
      this.pausedUntil - now,
      windowWait(this.stamps, this.inFlight, this.minuteCap(now), now),
    );
    const server = this.server;
    if (server && now < server.resetAt) {
      if (server.remaining <= 0) wait = Math.max(wait, server.resetAt - now);
      else if (server.remaining <= this.reserve(server.limit)) wait = Math.max(wait, this.nextPacedAt - now);
    }
    if (this.releasing) wait = Math.max(wait, this.nextReleaseAt - now);
    return wait;
  }

  /** Starts a request now; true when it is the probe. */
  private take(now: number): boolean {
    const probe = this.mustProbe(now);
    if (probe) this.probeOut = true;
    this.inFlight += 1;
    if (this.releasing) {
      this.nextReleaseAt = now + this.releaseGap(now);
      // This one was the last held back: traffic flows under the window cap alone again.
      if (this.waiting <= 1) this.releasing = false;
    }
    const server = this.server;
    if (server && now < server.resetAt) {
      server.remaining -= 1;
      if (server.remaining <= this.reserve(server.limit)) {
        this.nextPacedAt = now + (server.resetAt - now) / Math.max(1, server.remaining);
      }
    }
    return probe;
  }

  private releaseGap(now: number): number {
    return minuteMs / this.minuteCap(now);
  }

  private reserve(limit: number): number {
    return Math.max(1, Math.ceil(limit * this.reserveRatio));
  }

  private prune(now: number): void {
    let expired = 0;
    while (expired < this.stamps.length && (this.stamps[expired] ?? 0) <= now - minuteMs) expired += 1;
    if (expired > 0) this.stamps.splice(0, expired);
  }

  /** Sleeps `ms`, or less when a request ends first (a slot or the probe's answer may be what we wait for). */
  private rest(ms: number, signal: AbortSignal | undefined): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timer = new AbortController();
      const finish = (error?: { reason: unknown }) => {
        if (timer.signal.aborted) return;
        timer.abort();
        this.onEnd.delete(onEnd);
        signal?.removeEventListener('abort', onAbort);
        if (error) reject(error.reason);
        else resolve();
      };
      const onEnd = () => finish();
      const onAbort = () => finish({ reason: signal?.reason });
      this.onEnd.add(onEnd);
      signal?.addEventListener('abort', onAbort, { once: true });
      if (Number.isFinite(ms)) this.clock.sleep(ms, timer.signal).then(onEnd, () => undefined);
    });
  }

  private wake(): void {
    for (const listener of [...this.onEnd]) listener();
  }

  private observe(headers: Headers, now: number): void {
    const limit = numberHeader(headers, 'ratelimit-limit');
    const remaining = numberHeader(headers, 'ratelimit-remaining');
    const resetAt = resetTime(headers, now);
    if (limit === undefined || remaining === undefined || resetAt === undefined) {
      // A server that stopped announcing its quota must not keep us probing one request at a time.
      if (this.server && now >= this.server.resetAt) this.server = undefined;
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
