export interface RateLimitOptions {
  perMinute: number;
  perHour: number;
}

export interface RateLimitDecision {
  allowed: boolean;
  headers: Record<string, string>;
  /** Seconds until a request would be allowed again (when refused). */
  retryAfterSeconds: number;
}

const MINUTE = 60_000;
const HOUR = 3_600_000;

/**
 * DigitalOcean's limits: a sliding window per token, 5,000 requests an hour and 250 a minute.
 * `ratelimit-limit`/`-remaining` describe the hourly quota and `ratelimit-reset` is when the
 * oldest request in it expires (epoch seconds), as the API documents.
 */
export class RateLimiter {
  private readonly windows = new Map<string, number[]>();

  constructor(public options: RateLimitOptions) {}

  take(token: string, now: number): RateLimitDecision {
    const stamps = this.prune(token, now);
    const inMinute = stamps.filter((t) => t > now - MINUTE);
    const overHour = stamps.length >= this.options.perHour;
    const overMinute = inMinute.length >= this.options.perMinute;
    const allowed = !overHour && !overMinute;
    if (allowed) stamps.push(now);
    let retryAfterSeconds = 0;
    if (overMinute) retryAfterSeconds = (inMinute[0]! + MINUTE - now) / 1000;
    if (overHour) retryAfterSeconds = Math.max(retryAfterSeconds, (stamps[0]! + HOUR - now) / 1000);
    const oldest = stamps[0] ?? now;
    return {
      allowed,
      retryAfterSeconds,
      headers: {
        'ratelimit-limit': String(this.options.perHour),
        'ratelimit-remaining': String(Math.max(0, this.options.perHour - stamps.length)),
        'ratelimit-reset': String(Math.ceil((oldest + HOUR) / 1000)),
      },
    };
  }

  /** Headers without spending a request (for 401s and admin answers). */
  peek(token: string, now: number): Record<string, string> {
    const stamps = this.prune(token, now);
    const oldest = stamps[0] ?? now;
    return {
      'ratelimit-limit': String(this.options.perHour),
      'ratelimit-remaining': String(Math.max(0, this.options.perHour - stamps.length)),
      'ratelimit-reset': String(Math.ceil((oldest + HOUR) / 1000)),
    };
  }

  reset(): void {
    this.windows.clear();
  }

  private prune(token: string, now: number): number[] {
    const stamps = this.windows.get(token) ?? [];
    let drop = 0;
    while (drop < stamps.length && stamps[drop]! <= now - HOUR) drop++;
    if (drop > 0) stamps.splice(0, drop);
    this.windows.set(token, stamps);
    return stamps;
  }
}
