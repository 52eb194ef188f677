import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { createDoClient, type DoApi, sharedRateBudget } from '../../lib/do/index.js';
import { runOperation } from '../../lib/ops/run.js';
import type { Operation } from '../../lib/ops/types.js';
import { closeFixtures, type DoFixture, doFixture, plantedToken, track } from '../support/do-fixtures.js';
import { fixedRandom } from '../support/scaled-clock.js';
import { account, perMinuteServer, readAccounts } from './rate-limit-servers.js';

/** Another client of the fixture's server and token, as the next operation of the process makes it. */
function processClient(fixture: DoFixture, perMinute?: number): DoApi {
  const { server, clock } = fixture;
  return track(
    createDoClient({
      token: plantedToken,
      apiUrl: server.origin,
      caPem: server.caPem,
      clock,
      random: fixedRandom(),
      requestTimeoutMs: 600_000,
      budget: sharedRateBudget({ apiUrl: server.origin, token: plantedToken, clock, perMinute }),
    }),
  );
}

/** 100 account reads from three clients of one process, four at a time each. */
async function burstFromThreeClients(perMinute: number | undefined) {
  let server: ReturnType<typeof perMinuteServer> | undefined;
  const fixture = await doFixture({ scale: 300, handler: (r) => server!(r) });
  server = perMinuteServer(fixture.clock, 30);
  const clients = [1, 2, 3].map(() => processClient(fixture, perMinute));
  await Promise.all(clients.map((api, i) => readAccounts(api, i === 0 ? 34 : 33, 4)));
  const entries = clients.flatMap((api) => api.calls.entries());
  return { refused: server.refused(), entries, served: entries.filter((e) => e.status === 200).length };
}

/** An operation that reads the account `count` times, four at a time. */
function readingOperation(count: number): Operation<Record<string, never>, null> {
  return {
    name: 'info',
    summary: 'reads the account',
    mutating: false,
    input: z.object({}),
    run: async (_input, ctx) => {
      await readAccounts(ctx.api, count, 4);
      return { status: 'succeeded', result: null };
    },
  };
}

describe('one budget per token in a process', () => {
  afterEach(closeFixtures);

  it('a burst of 100 calls from 3 clients draws no 429 from a 30/minute limit it was told of', async () => {
    const { refused, entries, served } = await burstFromThreeClients(30);
    expect(refused).toBe(0);
    expect(served).toBe(100);
    const starts = entries.map((e) => e.startedAt).sort((a, b) => a - b);
    // 27 a minute (90% of 30) from the three together: 100 calls span more than three minutes.
    expect(starts[99]! - starts[0]!).toBeGreaterThanOrEqual(3 * 60_000);
    for (let i = 27; i < starts.length; i += 1) {
      expect(starts[i]! - starts[i - 27]!).toBeGreaterThanOrEqual(60_000);
    }
  });

  it('absorbs the 429s of a limit it was not told of (250 assumed), and learns it from them', async () => {
    const { refused, entries, served } = await burstFromThreeClients(undefined);
    expect(served).toBe(100);
    const rateLimited = entries.filter((e) => e.status === 429);
    expect(rateLimited.length).toBe(refused);
    expect(refused).toBeGreaterThan(0);
    // Only the first burst overran the limit: the 429 told the budget the limit was 30.
    const firstPauseEnd = Math.min(...rateLimited.map((e) => e.startedAt)) + 60_000;
    expect(rateLimited.every((e) => e.startedAt < firstPauseEnd)).toBe(true);
  });

  it('counts, in a client created later, what an earlier client of the token sent that minute', async () => {
    const fixture = await doFixture({ scale: 200, handler: () => account });
    const earlier = processClient(fixture, 10);
    await readAccounts(earlier, 9, 3);
    const later = processClient(fixture, 10);
    await later.client.v2.account.get();
    // Nine of nine allowed (90% of 10) were sent: the tenth waits until the first leaves the minute.
    const firstStart = Math.min(...earlier.calls.entries().map((e) => e.startedAt));
    expect(later.calls.entries()[0]!.startedAt).toBeGreaterThanOrEqual(firstStart + 60_000);
  });

  it('is what runOperation gives each operation, so the next one counts what the last one sent', async () => {
    // Slow enough that the production request timeout (30 s) is a whole real half-second.
    const fixture = await doFixture({ scale: 50, handler: () => account });
    const dir = await mkdtemp(join(tmpdir(), 'base2-budget-'));
    try {
      const caFile = join(dir, 'ca.pem');
      await writeFile(caFile, fixture.server.caPem);
      const run = (count: number) =>
        runOperation(
          readingOperation(count),
          {},
          {
            envSource: {
              DIGITALOCEAN_TOKEN: plantedToken,
              DIGITALOCEAN_API_URL: fixture.server.origin,
              DIGITALOCEAN_CA_FILE: caFile,
              DO_RATE_LIMIT_PER_MINUTE: '10',
            },
            cwd: dir,
            clock: fixture.clock,
            random: fixedRandom(),
            logSink: () => undefined,
          },
        );
      const first = await run(9);
      const second = await run(1);
      expect([first.status, second.status]).toEqual(['succeeded', 'succeeded']);
      expect(fixture.server.requests).toHaveLength(10);
      // The tenth request of the minute waited for the first to leave the window.
      expect(first.wall_time_ms + second.wall_time_ms).toBeGreaterThanOrEqual(60_000);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
