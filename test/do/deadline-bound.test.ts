/**
 * Every network wait ends with the caller's deadline: a server that accepts the connection and then
 * never finishes (no TLS handshake, no status line, half a body, a body that drips) holds a request
 * no longer than the deadline plus the transport's short grace, whatever the per-attempt timeout and
 * retries would allow, and the error names the call that ran out of time. Real time, real sockets.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../lib/clock.js';
import { createDeadline } from '../../lib/deadline.js';
import { type ApiError, createDoClient, createHttps, toApiError } from '../../lib/do/index.js';
import { closeFixtures, plantedToken, track } from '../support/do-fixtures.js';
import { startHttpsServer } from '../support/https-server.js';
import { fixedRandom } from '../support/scaled-clock.js';
import { type StallKind, startStallingServer } from '../support/stalling-servers.js';

const DEADLINE_MS = 1_500;
/** How long past the deadline a request may run (10 s by default; short here to keep the tests quick). */
const GRACE_MS = 1_000;
/** The deadline, the grace and room for a loaded machine. */
const ALLOWED_MS = DEADLINE_MS + GRACE_MS + 2_500;

async function failureOf(promise: Promise<unknown>, action: string): Promise<ApiError> {
  try {
    await promise;
  } catch (error) {
    return toApiError(error, { action });
  }
  throw new Error('expected the call to fail');
}

const stalls: readonly StallKind[] = ['no-answer', 'no-handshake', 'stalled-body', 'drip'];

describe('a request never outlasts the deadline', () => {
  afterEach(closeFixtures);

  for (const kind of stalls) {
    it(`${kind}: a read ends at the deadline with a timeout naming the call`, async () => {
      const server = track(await startStallingServer(kind));
      const api = track(
        createDoClient({
          token: plantedToken,
          apiUrl: server.origin,
          caPem: server.caPem,
          clock: systemClock,
          random: fixedRandom(),
          deadline: createDeadline(systemClock, DEADLINE_MS),
          deadlineAttemptGraceMs: GRACE_MS,
        }),
      );
      const started = performance.now();
      const error = await failureOf(api.client.v2.account.get(), 'read the account');
      expect(performance.now() - started).toBeLessThan(ALLOWED_MS);
      expect(error.reason).toBe('timeout');
      expect(error.message).toContain('GET /v2/account');
      expect(error.message).toMatch(/time limit/);
      expect(error.message).not.toContain(plantedToken);
    });
  }

  it('the plain HTTPS client (live URLs, the Functions API) is bounded the same way', async () => {
    const server = track(await startStallingServer('no-answer'));
    const https = track(
      createHttps({
        clock: systemClock,
        random: fixedRandom(),
        caPem: server.caPem,
        deadline: createDeadline(systemClock, DEADLINE_MS),
        deadlineAttemptGraceMs: GRACE_MS,
      }),
    );
    const started = performance.now();
    await expect(https.request(`${server.origin}/health`)).rejects.toMatchObject({ reason: 'timeout' });
    expect(performance.now() - started).toBeLessThan(ALLOWED_MS);
  });

  it("retries' back-off never sleeps past the deadline", async () => {
    const server = track(await startHttpsServer({ handler: () => 'drop' }));
    const api = track(
      createDoClient({
        token: plantedToken,
        apiUrl: server.origin,
        caPem: server.caPem,
        clock: systemClock,
        random: fixedRandom(),
        backoffBaseMs: 10_000,
        deadline: createDeadline(systemClock, DEADLINE_MS),
        deadlineAttemptGraceMs: GRACE_MS,
      }),
    );
    const started = performance.now();
    const error = await failureOf(api.client.v2.account.get(), 'read the account');
    expect(performance.now() - started).toBeLessThan(ALLOWED_MS);
    expect(error.reason).toBe('network');
    expect(server.requests).toHaveLength(1);
  });

  it('a call made after the deadline (wrapping up) still gets the grace to finish', async () => {
    const server = track(
      await startHttpsServer({ handler: () => ({ status: 200, body: { account: { email: 'a@b.c' } } }) }),
    );
    const api = track(
      createDoClient({
        token: plantedToken,
        apiUrl: server.origin,
        caPem: server.caPem,
        clock: systemClock,
        random: fixedRandom(),
        deadline: createDeadline(systemClock, 0),
      }),
    );
    const answer = await api.client.v2.account.get();
    expect(answer?.account?.email).toBe('a@b.c');
  });

  it("never runs past the host's own cut (a web call's 30 s), even while wrapping up", async () => {
    // The operation's deadline has passed; the function's own answer is due in 1 s. A call made now
    // to a hung API must end by then, not after the 10 s grace: past it the platform cuts the call.
    const server = track(await startStallingServer('no-answer'));
    const api = track(
      createDoClient({
        token: plantedToken,
        apiUrl: server.origin,
        caPem: server.caPem,
        clock: systemClock,
        random: fixedRandom(),
        deadline: createDeadline(systemClock, 0),
        hardDeadline: createDeadline(systemClock, 1_000),
      }),
    );
    const started = performance.now();
    const error = await failureOf(api.client.v2.account.get(), 'read the account');
    expect(performance.now() - started).toBeLessThan(1_000 + 2_500);
    expect(error.reason).toBe('timeout');
    expect(error.message).toContain('GET /v2/account');
  });
});
