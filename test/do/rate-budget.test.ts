import { afterEach, describe, expect, it } from 'vitest';
import type { Clock } from '../../lib/clock.js';
import { ApiError, type DoApi, toApiError } from '../../lib/do/index.js';
import { closeFixtures, doFixture } from '../support/do-fixtures.js';
import { doError, type Handler, type JsonReply } from '../support/https-server.js';

const account: JsonReply = { status: 200, body: { account: { email: 'ops@example.com', status: 'active' } } };

/** Runs `count` account reads, `concurrency` at a time. */
async function readAccounts(api: DoApi, count: number, concurrency: number): Promise<void> {
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
function limitedServer(clock: Clock, limit: number, windowMs: number): Handler & { refused: () => number } {
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

describe('the rate-limit budget', () => {
  afterEach(closeFixtures);

  it('never draws a 429 from a server that enforces its limit, however many requests are queued', async () => {
    let server: ReturnType<typeof limitedServer> | undefined;
    const fixture = await doFixture({ handler: (r) => server!(r) });
    server = limitedServer(fixture.clock, 10, 10_000);
    await readAccounts(fixture.api, 30, 6);
    expect(server.refused()).toBe(0);
    expect(fixture.api.calls.summary()).toMatchObject({ total: 30, rateLimited: 0, retries: 0 });
    const starts = fixture.api.calls.entries().map((e) => e.startedAt);
    // 30 requests at 10 per 10 s cannot finish in less than two windows.
    expect(Math.max(...starts) - Math.min(...starts)).toBeGreaterThanOrEqual(20_000);
  });

  it('spaces requests out when the announced budget runs low', async () => {
    let resetAt = 0;
    let served = 0;
    const fixture = await doFixture({
      // Slower time than elsewhere, so a loaded machine cannot let the window lapse unpaced.
      scale: 20,
      handler: () => {
        served += 1;
        if (served === 1) resetAt = fixture.clock.now() + 6000;
        return {
          ...account,
          headers: {
            'ratelimit-limit': '5000',
            'ratelimit-remaining': String(4 - served),
            'ratelimit-reset': String(Math.ceil(resetAt / 1000)),
          },
        };
      },
    });
    await readAccounts(fixture.api, 4, 4);
    const starts = fixture.api.calls.entries().map((e) => e.startedAt);
    const gaps = starts.slice(1).map((start, i) => start - (starts[i] ?? 0));
    // Three left for ~6 s: spread out rather than sent at once.
    expect(gaps.slice(1).every((gap) => gap >= 1000)).toBe(true);
    expect(starts[3]! - starts[0]!).toBeGreaterThanOrEqual(3000);
    expect(fixture.api.calls.summary().rateLimited).toBe(0);
  });

  it('keeps bursts under the local per-minute cap', async () => {
    const { api, clock } = await doFixture({
      scale: 200,
      client: { rateLimitPerMinute: 5 },
      handler: () => account,
    });
    await readAccounts(api, 7, 7);
    const starts = api.calls.entries().map((e) => e.startedAt);
    expect(Math.max(...clock.waited)).toBeGreaterThan(30_000);
    expect(starts[5]! - starts[0]!).toBeGreaterThanOrEqual(60_000);
    expect(starts[6]! - starts[1]!).toBeGreaterThanOrEqual(60_000);
  });

  it('holds every concurrent request back after a 429, not just the one refused', async () => {
    const { api, server } = await doFixture({ handler: () => account });
    server.script({
      ...doError(429, 'too_many_requests', 'API Rate limit exceeded.'),
      headers: { 'retry-after': '3' },
    });
    await readAccounts(api, 5, 5);
    const [refused, ...rest] = api.calls.entries();
    expect(refused?.status).toBe(429);
    const pauseEnds = refused!.startedAt + refused!.durationMs + 3000;
    expect(rest.every((e) => e.startedAt >= pauseEnds)).toBe(true);
    expect(api.calls.summary()).toMatchObject({ total: 6, rateLimited: 1 });
  });

  it('fails at once, sending nothing, when the budget is spent for longer than it would wait', async () => {
    let resetAt = 0;
    const { api, server, clock } = await doFixture({
      handler: () => {
        resetAt = clock.now() + 10 * 60_000;
        const reset = String(Math.ceil(resetAt / 1000));
        return {
          ...account,
          headers: { 'ratelimit-limit': '5000', 'ratelimit-remaining': '0', 'ratelimit-reset': reset },
        };
      },
    });
    await api.client.v2.account.get();
    const error = await api.client.v2.account
      .get()
      .catch((e: unknown) => toApiError(e, { action: 'read account' }));
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 429, reason: 'rate-limit', ambiguous: false });
    expect((error as ApiError).message).toMatch(
      /^Did not ask DigitalOcean to read account: the token's rate limit is used up until \d\d:\d\d:\d\d UTC\.$/,
    );
    expect(server.requests).toHaveLength(1);
  });

  it('does not wait out a 429 whose retry-after is longer than it would wait', async () => {
    const { api, server } = await doFixture({ handler: () => account });
    server.script({
      ...doError(429, 'too_many_requests', 'API Rate limit exceeded.'),
      headers: { 'retry-after': '3600' },
    });
    const error = await api.client.v2.account
      .get()
      .catch((e: unknown) => toApiError(e, { action: 'read account' }));
    expect(error).toMatchObject({ status: 429, doId: 'too_many_requests' });
    expect(server.requests).toHaveLength(1);
  });
});
