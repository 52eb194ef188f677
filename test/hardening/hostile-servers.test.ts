/**
 * Hostile and hung servers at DIGITALOCEAN_API_URL. Each is a fault case: the operation ends within
 * its deadline plus a small margin, or refuses the answer, with one clear sentence naming the call,
 * never believing garbage and never hanging. The stalls run through the real CLI (`npm run invoke --
 * status --timeout 2s`, as a user would); the garbage answers through runOperation.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../lib/clock.js';
import { ApiError } from '../../lib/do/index.js';
import { infoOperation } from '../../lib/ops/info/index.js';
import { runOperation } from '../../lib/ops/run.js';
import { statusOperation } from '../../lib/ops/status/index.js';
import type { AnyOperation } from '../../lib/ops/types.js';
import { closeFixtures, dropletJson, track } from '../support/do-fixtures.js';
import { type Reply, startHttpsServer } from '../support/https-server.js';
import { ROOT, SAMPLE_ENV } from '../support/op-context.js';
import { type StallKind, startStallingServer } from '../support/stalling-servers.js';
import { spawnInvoke } from './child.js';
import { Tally } from './tally.js';

const tally = new Tally(import.meta.filename);
const TOKEN = `dop_v1_${'c0ffee'.repeat(10)}beef`;
const dir = mkdtempSync(join(tmpdir(), 'base2-hostile-'));

afterEach(closeFixtures);
afterAll(() => tally.publish());

/** With `systemTrust`, no CA file: the CLI connects as to the real API, with Node's own fetch. */
function envFor(server: { origin: string; caPem: string }, systemTrust = false): Record<string, string> {
  const caFile = join(dir, `ca-${Math.random().toString(36).slice(2)}.pem`);
  writeFileSync(caFile, server.caPem);
  return {
    ...SAMPLE_ENV,
    DIGITALOCEAN_TOKEN: TOKEN,
    DIGITALOCEAN_API_URL: server.origin,
    ...(systemTrust ? {} : { DIGITALOCEAN_CA_FILE: caFile }),
    DEPLOY_ENV: 'staging',
  };
}

/** The transport's 10 s grace past the deadline, and room for a loaded machine to exit. */
const MARGIN_MS = 10_000 + 4_000;

const stallRuns: ReadonlyArray<{
  kind: StallKind;
  op: 'status' | 'info';
  timeout: number;
  systemTrust?: boolean;
}> = [
  { kind: 'no-answer', op: 'status', timeout: 2_000 },
  { kind: 'no-handshake', op: 'status', timeout: 2_000, systemTrust: true },
  { kind: 'no-handshake', op: 'status', timeout: 2_000 },
  { kind: 'stalled-body', op: 'status', timeout: 2_000 },
  { kind: 'drip', op: 'status', timeout: 2_000 },
  { kind: 'no-answer', op: 'info', timeout: 3_000 },
];

describe('a server that accepts and never finishes holds the CLI no longer than --timeout', () => {
  it('status and info end at their deadline, exit 1 and name the call that ran out of time', async () => {
    await tally.corpus(
      'fault',
      stallRuns,
      (run) => `${run.op} against ${run.kind}${run.systemTrust ? ' (no CA file)' : ''}`,
      async ({ kind, op, timeout, systemTrust }) => {
        const server = track(await startStallingServer(kind));
        const child = spawnInvoke([op, '--timeout', `${timeout}ms`], envFor(server, systemTrust));
        let answeredAt: number | undefined;
        const watch = setInterval(() => {
          if (answeredAt === undefined && child.stdout().trimEnd().endsWith('}'))
            answeredAt = performance.now();
        }, 20);
        const code = await child.exited;
        clearInterval(watch);
        const ended = performance.now();
        // Once it has answered, nothing (a connection still in its handshake) keeps the CLI running.
        expect(ended - (answeredAt ?? ended), 'exit after the answer').toBeLessThan(3_000);
        const first = server.firstConnectionAt();
        expect(first, 'the CLI connected').toBeDefined();
        // Measured from the first connection: the deadline started before it, the CLI's start-up
        // (slow on a loaded machine) is not what is being measured.
        expect(ended - (first ?? 0)).toBeLessThan(timeout + MARGIN_MS);
        expect(code).toBe(1);
        const body = JSON.parse(child.stdout()) as { error: { kind: string; message: string } };
        expect(body.error.kind).toBe('api');
        expect(body.error.message).toMatch(
          /^Gave up waiting for DigitalOcean to .+: GET \/v2\/\S+ had no complete answer before the operation's time limit ran out/,
        );
        expect(child.output()).not.toContain(TOKEN);
      },
    );
  }, 240_000);
});

const many = (n: number) => `[${Array.from({ length: n }, () => '{}').join(',')}]`;
const json = (body: string): Reply => ({
  status: 200,
  headers: { 'content-type': 'application/json', 'content-length': String(body.length) },
  body,
});

/** Every request gets the same answer: whichever call an operation makes first is refused. */
const garbage: ReadonlyArray<{ name: string; reply: () => Reply; says: RegExp }> = [
  {
    name: 'a 2,000,000-entry list',
    reply: () => json(`{"droplets":${many(2_000_000)},"apps":${many(2_000_000)},"meta":{"total":2000000}}`),
    says: /list holds 2,000,000 items where a page holds at most \d+/,
  },
  {
    name: 'a body declared at 1 GB',
    reply: () => ({
      status: 200,
      headers: { 'content-type': 'application/json', 'content-length': String(1024 ** 3) },
      body: '{',
    }),
    says: /it declared 1073741824 bytes, more than 16 MiB/,
  },
  {
    name: 'an HTML page with status 200',
    reply: () => ({ status: 200, headers: { 'content-type': 'text/html' }, body: '<h1>It works!</h1>' }),
    says: /its body is not JSON/,
  },
  {
    name: 'a JSON list for a body',
    reply: () => json('[1,2,3]'),
    says: /its body is a JSON list, not an object/,
  },
  {
    name: 'lists that are strings',
    reply: () => json('{"droplets":"all of them","apps":"all of them","ssh_keys":"all","meta":{"total":1}}'),
    says: /is a string where DigitalOcean sends a list/,
  },
  {
    name: 'a droplet whose networks are a number',
    reply: () =>
      json(
        JSON.stringify({
          droplets: [{ ...dropletJson(1, 'base2-staging-1'), networks: 7 }],
          apps: [],
          ssh_keys: [],
          meta: { total: 1 },
        }),
      ),
    says: /"droplets\[0\]\.networks" is a number where DigitalOcean sends an object/,
  },
  {
    name: 'a total no account reaches',
    reply: () => json('{"droplets":[],"apps":[],"ssh_keys":[],"meta":{"total":900000000}}'),
    says: /it says the list holds 900,000,000 items/,
  },
];

describe('a server that answers with garbage is not believed', () => {
  for (const op of [statusOperation, infoOperation] as AnyOperation[]) {
    it(`${op.name} refuses each kind of garbage in one sentence, naming what it asked`, async () => {
      await tally.corpus(
        'fault',
        garbage,
        (g) => `${op.name}: ${g.name}`,
        async ({ reply, says }) => {
          const server = track(await startHttpsServer({ handler: reply }));
          const lines: string[] = [];
          const error = await runOperation(
            op,
            {},
            {
              envSource: envFor(server),
              cwd: ROOT,
              clock: systemClock,
              random: Math.random,
              logSink: (line) => lines.push(line),
              timeoutMs: 20_000,
            },
          ).then(
            () => undefined,
            (e: unknown) => e,
          );
          expect(error).toBeInstanceOf(ApiError);
          const message = (error as ApiError).message;
          expect(message).toMatch(/^Did not believe the API's answer when asked to /);
          expect(message).toMatch(says);
          expect((error as ApiError).hint).toContain('DIGITALOCEAN_API_URL');
          expect(`${message}${lines.join('\n')}`).not.toContain(TOKEN);
        },
      );
    }, 120_000);
  }
});
