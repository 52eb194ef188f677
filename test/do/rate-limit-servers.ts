/** Servers with DigitalOcean's rate limits, and a burst of reads to send them. */
import type { Clock } from '../../lib/clock.js';
import type { DoApi } from '../../lib/do/index.js';
import { doError, type Handler, type JsonReply } from '../support/https-server.js';

export const account: JsonReply = {
  status: 200,
  body: { account: { email: 'ops@example.com', status: 'active' } },
};

/** Runs `count` account reads, `concurrency` at a time. */
export async function readAccounts(api: DoApi, count: number, concurrency: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      next += 1;
      await api.client.v2.account.get();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

/** DigitalOcean's behaviour: a sliding window per token, announced in headers, 429 beyond it. */
export function limitedServer(
  clock: Clock,
  limit: number,
  windowMs: number,
): Handler & { refused: () => number } {
  const hits: number[] = [];
  let refused = 0;
  const headers = () => ({
    'ratelimit-limit': String(limit),
    'ratelimit-remaining': String(limit - hits.length),
    'ratelimit-reset': String(Math.ceil(((hits[0] ?? clock.now()) + windowMs) / 1000)),
  });
  const handler: Handler = () => {
    const now = clock.now();
    while (hits.length > 0 && (hits[0] ?? 0) <= now - windowMs) hits.shift();
    if (hits.length >= limit) {
      refused += 1;
      return { ...doError(429, 'too_many_requests', 'API Rate limit exceeded.'), headers: headers() };
    }
    hits.push(now);
    return { ...account, headers: headers() };
  };
  return Object.assign(handler, { refused: () => refused });
}

/**
 * DigitalOcean's per-minute limit as the emulator models it: a sliding minute per token that is
 * never announced (the headers describe the hourly quota), and a 429 whose retry-after says when
 * the oldest counted request leaves the window.
 */
export function perMinuteServer(clock: Clock, perMinute: number): Handler & { refused: () => number } {
  const hits: number[] = [];
  let served = 0;
  let refused = 0;
  const hourly = () => ({
    'ratelimit-limit': '5000',
    'ratelimit-remaining': String(5000 - served),
    'ratelimit-reset': String(Math.ceil((clock.now() + 3_600_000) / 1000)),
  });
  const handler: Handler = () => {
    const now = clock.now();
    while (hits.length > 0 && (hits[0] ?? 0) <= now - 60_000) hits.shift();
    if (hits.length >= perMinute) {
      refused += 1;
      const retryAfter = Math.max(1, Math.ceil(((hits[0] ?? now) + 60_000 - now) / 1000));
      const refusal = doError(429, 'too_many_requests', 'API Rate limit exceeded.');
      return { ...refusal, headers: { ...refusal.headers, ...hourly(), 'retry-after': String(retryAfter) } };
    }
    hits.push(now);
    served += 1;
    return { ...account, headers: hourly() };
  };
  return Object.assign(handler, { refused: () => refused });
}
