/**
 * Pure arithmetic of the rate-limit budget: reading DigitalOcean's rate-limit headers, the sliding
 * minute window, and what a 429 tells about a per-minute limit nobody announced.
 */

export const minuteMs = 60_000;

export function numberHeader(headers: Headers, name: string): number | undefined {
  const value = headers.get(name);
  if (value === null || value.trim() === '') return undefined;
  const parsed = Number(value);
  return Number.isFinite(parsed) ? parsed : undefined;
}

/** `ratelimit-reset` (epoch seconds) in local time, corrected by the response's `date` for clock skew. */
export function resetTime(headers: Headers, now: number): number | undefined {
  const reset = numberHeader(headers, 'ratelimit-reset');
  if (reset === undefined) return undefined;
  const serverNow = Date.parse(headers.get('date') ?? '');
  // `date` has whole seconds, truncated, so the skew-corrected time errs late, never early.
  return Number.isFinite(serverNow) ? now + (reset * 1000 - serverNow) : reset * 1000;
}

/**
 * How long until a request may start under a sliding-minute cap. `stamps` (ascending) are when
 * requests the server counted ended, all within the last minute; requests in flight hold a place
 * until they end. Infinity: the places are held by requests in flight, so only an ending helps.
 */
export function windowWait(stamps: readonly number[], inFlight: number, cap: number, now: number): number {
  const excess = stamps.length + inFlight - cap + 1;
  if (excess <= 0) return 0;
  const freeing = stamps[excess - 1];
  return freeing === undefined ? Number.POSITIVE_INFINITY : Math.max(0, freeing + minuteMs - now);
}

/**
 * Window ends stamped at the response trail the server's own stamps by the request's latency,
 * and `retry-after` is rounded up to whole seconds: how far apart the two may be and still match.
 */
const matchEarlyMs = 1_500;
const matchLateMs = 5_000;

/**
 * The per-minute limit a 429 reveals, or undefined when it reveals none. A sliding-minute limit
 * answers with the time its oldest counted request leaves the window, so `allowedAt` − 1 minute
 * is when that request was made. When it was one of ours, every request the server counted since
 * is one of ours too (as far as we can tell), and their number is the limit. When it was not, the
 * window holds someone else's requests (another tool on the token) or the 429 had another cause,
 * and our count says nothing.
 */
export function revealedLimit(stamps: readonly number[], allowedAt: number): number | undefined {
  const windowStart = allowedAt - minuteMs;
  const first = stamps.findIndex((stamp) => stamp >= windowStart - matchEarlyMs);
  const oldest = stamps[first];
  if (oldest === undefined || oldest > windowStart + matchLateMs) return undefined;
  return stamps.length - first;
}
