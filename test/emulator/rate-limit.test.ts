import { HeadersInspectionOptions, RetryHandlerOptions } from '@microsoft/kiota-http-fetchlibrary';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { accountModule } from '../../emulator/resources/account.js';
import { startTestEmulator, type TestEmulator } from '../support/emulator.js';

interface DotsError {
  responseStatusCode: number;
  id: string;
  messageEscaped: string;
  responseHeaders: Record<string, string[]>;
}

/** dots retries 429 after `retry-after` real seconds; these tests look at the 429 itself. */
const noRetry = () => [new RetryHandlerOptions({ maxRetries: 0 })];

describe('rate limits', () => {
  let t: TestEmulator;

  beforeAll(async () => {
    // Real-time clock and no API latency: the window only slides when a test advances it.
    t = await startTestEmulator({
      modules: [accountModule],
      timeScale: 1,
      timing: { apiLatencyMs: 0 },
      rateLimit: { perMinute: 5 },
    });
  });
  afterAll(async () => {
    await t?.stop();
  });
  beforeEach(async () => {
    await t.admin('POST', '/_emulator/reset');
    await t.admin('POST', '/_emulator/rate-limit', { per_minute: 5, per_hour: 5000 });
  });

  const call = async (): Promise<{
    status: number;
    headers: Record<string, string[]>;
    error?: DotsError;
  }> => {
    const inspect = new HeadersInspectionOptions({ inspectResponseHeaders: true });
    try {
      await t.dots.v2.account.get({ options: [inspect, ...noRetry()] });
      const headers = Object.fromEntries(
        [...inspect.getResponseHeaders().entries()].map(([k, v]) => [k, [...v]]),
      );
      return { status: 200, headers };
    } catch (e) {
      const error = e as DotsError;
      return { status: error.responseStatusCode, headers: error.responseHeaders, error };
    }
  };
  const calls = async (n: number) => {
    const out = [];
    for (let i = 0; i < n; i++) out.push(await call());
    return out;
  };
  const advance = (seconds: number) => t.admin('POST', '/_emulator/clock', { advance_ms: seconds * 1000 });

  it('answers 429 with retry-after once the per-minute limit is spent', async () => {
    const answers = await calls(6);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 429]);
    expect(answers.slice(0, 5).map((a) => a.headers['ratelimit-remaining']?.[0])).toEqual([
      '4999',
      '4998',
      '4997',
      '4996',
      '4995',
    ]);
    const refused = answers[5]!;
    expect(refused.error).toMatchObject({
      id: 'too_many_requests',
      messageEscaped: 'API Rate limit exceeded.',
    });
    const retryAfter = Number(refused.headers['retry-after']?.[0]);
    expect(retryAfter).toBeGreaterThanOrEqual(59);
    expect(retryAfter).toBeLessThanOrEqual(60);
    for (const name of ['ratelimit-limit', 'ratelimit-remaining', 'ratelimit-reset', 'x-request-id']) {
      expect(refused.headers[name], name).toHaveLength(1);
    }
  });

  it('recovers when the window has slid past the earlier requests', async () => {
    await calls(5);
    expect((await call()).status).toBe(429);
    await advance(61);
    expect((await call()).status).toBe(200);
  });

  it('slides the window request by request rather than resetting it each minute', async () => {
    await calls(3);
    await advance(30);
    await calls(2);
    const refused = await call();
    expect(refused.status).toBe(429);
    expect(Number(refused.headers['retry-after']?.[0])).toBeLessThanOrEqual(30);
    await advance(31);
    // The first three have left the window; the two from 30 s ago are still in it.
    expect((await calls(4)).map((a) => a.status)).toEqual([200, 200, 200, 429]);
  });

  it('applies the hourly quota that the ratelimit headers describe', async () => {
    await t.admin('POST', '/_emulator/rate-limit', { per_minute: 100, per_hour: 3 });
    const answers = await calls(4);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 429]);
    expect(answers[3]!.headers['ratelimit-limit']).toEqual(['3']);
    expect(answers[3]!.headers['ratelimit-remaining']).toEqual(['0']);
    expect(Number(answers[3]!.headers['retry-after']?.[0])).toBeGreaterThan(3500);
    await advance(3601);
    expect((await call()).status).toBe(200);
  });

  it('does not count refused requests against the window', async () => {
    await calls(5);
    await calls(3);
    await advance(60.5);
    expect((await calls(5)).map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
  });

  it('changes the limits through the admin API and starts fresh windows', async () => {
    await calls(4);
    const set = await t.admin('POST', '/_emulator/rate-limit', { per_minute: 2 });
    expect(set).toEqual({ perMinute: 2, perHour: 5000 });
    expect(await t.admin('GET', '/_emulator/rate-limit')).toEqual({ perMinute: 2, perHour: 5000 });
    expect((await calls(3)).map((a) => a.status)).toEqual([200, 200, 429]);
    await expect(t.admin('POST', '/_emulator/rate-limit', { per_minute: 0 })).rejects.toThrow(/400/);
  });

  it('does not rate-limit the admin API', async () => {
    await calls(5);
    for (let i = 0; i < 10; i++) await t.admin('GET', '/_emulator/clock');
    expect((await call()).status).toBe(429);
  });
});
