import { afterEach, describe, expect, it } from 'vitest';
import { type ApiCallEntry, ApiError, toApiError } from '../../lib/do/index.js';
import { closeFixtures, doFixture } from '../support/do-fixtures.js';
import { startTestEmulator } from '../support/emulator.js';
import { doError, type JsonReply } from '../support/https-server.js';
import { account, limitedServer, readAccounts } from './rate-limit-servers.js';

describe('probe mode after a 429', () => {
  afterEach(closeFixtures);

  /**
   * A server that, once warmed up (connections open, budget known), refuses everything for
   * `seconds`, then serves; with `refuseFirstAfter` it refuses the first request after that too.
   */
  async function closedFor(seconds: number, refuseFirstAfter?: number) {
    let openAt = 0;
    let extraRefusal = refuseFirstAfter;
    // At a tenth of the usual speed the closed window (half a real second) outlasts any request
    // that was already on its way when it closed, even on a loaded machine.
    const fixture = await doFixture({
      scale: 10,
      handler: () => {
        const now = fixture.clock.now();
        if (now < openAt) return tooMany(Math.ceil((openAt - now) / 1000));
        if (openAt > 0 && extraRefusal !== undefined) {
          const wait = extraRefusal;
          extraRefusal = undefined;
          return tooMany(wait);
        }
        return account;
      },
    });
    await readAccounts(fixture.api, 6, 6);
    const warmUp = fixture.api.calls.entries().length;
    openAt = fixture.clock.now() + seconds * 1000;
    return { api: fixture.api, sinceWarmUp: () => fixture.api.calls.entries().slice(warmUp) };
  }

  const tooMany = (seconds: number): JsonReply => {
    const refusal = doError(429, 'too_many_requests', 'API Rate limit exceeded.');
    return { ...refusal, headers: { ...refusal.headers, 'retry-after': String(seconds) } };
  };

  it('lets one request through when the pause ends, and the others only after it got through, one by one', async () => {
    const { api, sinceWarmUp } = await closedFor(5);
    await readAccounts(api, 6, 6);
    const entries = [...sinceWarmUp()].sort((a, b) => a.startedAt - b.startedAt);
    expect(entries.filter((e) => e.status === 200)).toHaveLength(6);
    // Requests that left before the first refusal came back are not held: the pause starts there.
    const [probe, ...released] = afterFirstRefusal(entries);
    expect(probe?.status).toBe(200);
    const probeEnd = probe!.startedAt + probe!.durationMs;
    expect(released.length).toBeGreaterThan(0);
    expect(released.every((e) => e.startedAt >= probeEnd)).toBe(true);
    const gaps = released.slice(1).map((e, i) => e.startedAt - released[i]!.startedAt);
    // One 225th of a minute apart (90% of the assumed 250 a minute).
    expect(gaps.every((gap) => gap >= 60_000 / 225)).toBe(true);
  });

  it('pauses again, still one request at a time, when the probe itself is refused', async () => {
    const { api, sinceWarmUp } = await closedFor(5, 3);
    await readAccounts(api, 4, 4);
    const entries = [...sinceWarmUp()].sort((a, b) => a.startedAt - b.startedAt);
    const [refusedProbe, ...later] = afterFirstRefusal(entries);
    expect(refusedProbe?.status).toBe(429);
    expect(later.every((e) => e.status === 200)).toBe(true);
    // Nothing else started while the probe was out, and nothing before its 3 s pause ended.
    expect(later.length).toBeGreaterThan(0);
    expect(later.every((e) => e.startedAt >= refusedProbe!.startedAt + refusedProbe!.durationMs + 3000)).toBe(
      true,
    );
    expect(entries.filter((e) => e.status === 200)).toHaveLength(4);
  });

  /** The requests that started once the first 429 was back, in the order they started. */
  function afterFirstRefusal(entries: ApiCallEntry[]): ApiCallEntry[] {
    const firstRefusalEnd = Math.min(
      ...entries.filter((e) => e.status === 429).map((e) => e.startedAt + e.durationMs),
    );
    expect(Number.isFinite(firstRefusalEnd)).toBe(true);
    return entries.filter((e) => e.startedAt >= firstRefusalEnd);
  }
});

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

describe("the emulator's rate-limit headers", () => {
  it('stamp date from the virtual clock, as ratelimit-reset is, so skew correction holds at any time scale', async () => {
    const t = await startTestEmulator();
    try {
      await t.admin('POST', '/_emulator/clock', { advance_ms: 3_600_000 });
      const response = await t.fetch(`${t.emu.apiUrl}/v2/account`, {
        headers: { authorization: `Bearer ${t.emu.token}` },
      });
      const date = Date.parse(response.headers.get('date') ?? '');
      const reset = Number(response.headers.get('ratelimit-reset')) * 1000;
      expect(Math.abs(date - t.emu.clock.now())).toBeLessThan(5_000);
      expect(date - Date.now()).toBeGreaterThan(3_500_000);
      // The hourly window of a first request ends an hour after it, read against the same clock.
      expect(Math.abs(reset - date - 3_600_000)).toBeLessThan(5_000);
    } finally {
      await t.stop();
    }
  });
});
