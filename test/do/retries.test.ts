import { afterEach, describe, expect, it } from 'vitest';
import { type ApiError, type DoApi, toApiError } from '../../lib/do/index.js';
import { closeFixtures, doFixture, dropletJson } from '../support/do-fixtures.js';
import { doError, type JsonReply } from '../support/https-server.js';

const ok: JsonReply = { status: 200, body: { account: { email: 'ops@example.com', status: 'active' } } };
const created: JsonReply = { status: 202, body: { droplet: dropletJson(7, 'base2-staging-1') } };
const serverError = doError(500, 'server_error', 'Server was unable to give you a response.');
const unavailable = doError(503, 'service_unavailable', 'Service is temporarily unavailable.');
const tooMany = (headers: Record<string, string>): JsonReply => ({
  ...doError(429, 'too_many_requests', 'API Rate limit exceeded.'),
  headers,
});

const readAccount = (api: DoApi) => api.client.v2.account.get();
const createDroplet = (api: DoApi) =>
  api.client.v2.droplets.post({
    name: 'base2-staging-1',
    region: 'nyc3',
    size: 's-1vcpu-1gb',
    image: 'ubuntu-24-04-x64',
  });

async function failure(promise: Promise<unknown>, action = 'create droplet'): Promise<ApiError> {
  try {
    await promise;
  } catch (error) {
    return toApiError(error, { action, resource: 'base2-staging-1' });
  }
  throw new Error('expected the call to fail');
}

describe('retries', () => {
  afterEach(closeFixtures);

  it('waits as long as retry-after says after a 429, then succeeds', async () => {
    const { api, server, clock } = await doFixture();
    server.script(tooMany({ 'retry-after': '2' }), ok);
    const result = await readAccount(api);
    expect(result?.account?.email).toBe('ops@example.com');
    expect(server.requests).toHaveLength(2);
    const [first, second] = api.calls.entries();
    // The 2 s run from the moment the 429 arrived, on the injected clock: one wait, no more.
    expect(second!.startedAt).toBeGreaterThanOrEqual(first!.startedAt + first!.durationMs + 2000);
    expect(clock.waited).toHaveLength(1);
    expect(clock.waited[0]).toBeGreaterThan(1500);
    expect(api.calls.summary()).toMatchObject({ total: 2, retries: 1, rateLimited: 1 });
  });

  it('waits until ratelimit-reset after a 429 that gives no retry-after', async () => {
    let reset = 0;
    const { api, clock } = await doFixture({
      handler: () => {
        if (reset > 0) return ok;
        reset = Math.ceil((clock.now() + 3000) / 1000);
        return tooMany({ 'ratelimit-reset': String(reset) });
      },
    });
    await readAccount(api);
    const second = api.calls.entries()[1];
    expect(second?.startedAt).toBeGreaterThanOrEqual(reset * 1000);
    expect(clock.waited).toHaveLength(1);
  });

  it('repeats a POST that got a 429, since a 429 means nothing was done', async () => {
    const { api, server } = await doFixture();
    server.script(tooMany({ 'retry-after': '1' }), created);
    const result = await createDroplet(api);
    expect(result && 'droplet' in result ? result.droplet?.id : undefined).toBe(7);
    expect(server.requests.map((r) => r.method)).toEqual(['POST', 'POST']);
    expect(api.calls.summary()).toMatchObject({ total: 2, mutating: 2, retries: 1, rateLimited: 1 });
  });

  it('does not count 429s toward maxAttempts: they are waits, not failures', async () => {
    const { api, server } = await doFixture({ client: { maxAttempts: 2 } });
    server.script(...Array.from({ length: 5 }, () => tooMany({ 'retry-after': '1' })), unavailable, ok);
    const result = await readAccount(api);
    expect(result?.account?.email).toBe('ops@example.com');
    expect(server.requests).toHaveLength(7);
    expect(api.calls.summary()).toMatchObject({ total: 7, retries: 6, rateLimited: 5 });
  });

  it('retries 429s for 2 minutes in all, whatever the method, then lets the 429 through', async () => {
    const { api, server, clock } = await doFixture({ handler: () => tooMany({ 'retry-after': '30' }) });
    const started = clock.now();
    const error = await failure(createDroplet(api));
    // Sent at 0, 30, 60 and 90 s: a fifth try would start after the 2 minutes.
    expect(server.requests.map((r) => r.method)).toEqual(['POST', 'POST', 'POST', 'POST']);
    expect(error).toMatchObject({ status: 429, doId: 'too_many_requests', ambiguous: false, attempts: 4 });
    expect(clock.now() - started).toBeLessThan(120_000);
  });

  it('waits out no 429 past the deadline it was given', async () => {
    let end = Number.POSITIVE_INFINITY;
    const deadline = { remainingMs: () => Math.max(0, end - fixture.clock.now()) };
    const fixture = await doFixture({ handler: () => ok, client: { deadline } });
    const { api, server, clock } = fixture;
    // Opens the connection first: at this clock's speed a TLS handshake takes seconds.
    await readAccount(api);
    const started = clock.now();
    end = started + 20_000;
    server.script(tooMany({ 'retry-after': '10' }), tooMany({ 'retry-after': '30' }));
    const error = await failure(readAccount(api), 'read account');
    expect(server.requests).toHaveLength(3);
    expect(error).toMatchObject({ status: 429, attempts: 2 });
    expect(clock.now() - started).toBeLessThan(20_000);
  });

  it('never repeats a POST that got a 500, and says the server may have acted', async () => {
    const { api, server } = await doFixture();
    server.script(serverError, created);
    const error = await failure(createDroplet(api));
    expect(server.requests).toHaveLength(1);
    expect(error).toMatchObject({ status: 500, doId: 'server_error', ambiguous: true, requestId: 'req-500' });
    expect(error.message).toBe(
      'DigitalOcean gave no clear answer when asked to create droplet base2-staging-1: 500 server_error — ' +
        'Server was unable to give you a response (request req-500).',
    );
    expect(error.hint).toMatch(/may have happened/);
  });

  it('repeats a GET after 503, 503 with exponential backoff, then succeeds', async () => {
    const { api, server, clock } = await doFixture();
    server.script(unavailable, unavailable, ok);
    await readAccount(api);
    expect(server.requests).toHaveLength(3);
    // fixedRandom(0.5) × full-jitter ceilings of 500 ms and 1000 ms
    expect(clock.waited).toEqual([250, 500]);
    expect(api.calls.entries().map((e) => [e.status, e.attempt, e.retried])).toEqual([
      [503, 1, false],
      [503, 2, true],
      [200, 3, true],
    ]);
  });

  it('gives up after the configured attempts with a clear error', async () => {
    const { api, server } = await doFixture({ client: { maxAttempts: 3 } });
    server.script(unavailable, unavailable, unavailable, ok);
    const error = await failure(readAccount(api), 'read account');
    expect(server.requests).toHaveLength(3);
    expect(error).toMatchObject({ status: 503, attempts: 3, ambiguous: false });
    expect(error.describe()).toBe(
      'DigitalOcean failed to read account base2-staging-1: 503 service_unavailable — Service is temporarily ' +
        'unavailable (request req-503), after 3 attempts. DigitalOcean had a server problem; try again in a few minutes.',
    );
  });

  it('keeps the status of an error page that is not JSON', async () => {
    const { api, server } = await doFixture({ client: { maxAttempts: 1 } });
    server.script({
      status: 502,
      headers: { 'content-type': 'text/html' },
      body: '<html><h1>Bad gateway</h1></html>',
    });
    const error = await failure(readAccount(api), 'read account');
    expect(error).toMatchObject({ status: 502, doId: 'bad_gateway' });
    expect(error.message).toContain('502 bad_gateway — Bad gateway');
  });

  it('repeats a GET whose connection dropped', async () => {
    const { api, server } = await doFixture();
    server.script('drop', ok);
    await readAccount(api);
    expect(server.requests).toHaveLength(2);
    expect(api.calls.entries()[0]).toMatchObject({ status: 0, retried: false });
  });

  it('never repeats a POST whose connection dropped, and reports it as ambiguous', async () => {
    const { api, server } = await doFixture();
    server.script('drop', created);
    const error = await failure(createDroplet(api));
    expect(server.requests).toHaveLength(1);
    expect(error).toMatchObject({ status: 0, ambiguous: true, reason: 'network' });
    expect(error.message).toMatch(
      /^Lost the connection to DigitalOcean while trying to create droplet base2-staging-1: /,
    );
  });

  it('times out a slow GET and repeats it; a timed-out POST is ambiguous', async () => {
    // A whole real second for the answers that should arrive, so a loaded machine cannot time them out.
    const { api, server } = await doFixture({ scale: 2, client: { requestTimeoutMs: 2000 } });
    server.script({ ...ok, delayMs: 1500 }, ok);
    await readAccount(api);
    expect(api.calls.entries().map((e) => e.error ?? e.status)).toEqual(['timeout', 200]);

    server.script({ ...created, delayMs: 1500 });
    const error = await failure(createDroplet(api));
    expect(error).toMatchObject({ status: 0, ambiguous: true, reason: 'timeout' });
    expect(error.message).toContain('POST /v2/droplets had no complete answer within 2 s');
  });
});
