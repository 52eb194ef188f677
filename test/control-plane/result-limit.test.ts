/**
 * DigitalOcean refuses a function result over 1 MB, and exec may return up to 1 MB per stream per
 * target: the function entry must cut such a result, visibly, and keep what a caller acts on.
 */
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { systemClock } from '../../lib/clock.js';
import type { ExecResult, TargetResult } from '../../lib/ops/exec/result.js';
import type { Operation } from '../../lib/ops/types.js';
import { deadlineFrom } from '../../lib/web/deadline.js';
import { RESULT_LIMIT_BYTES } from '../../lib/web/handler.js';
import { operationDeadline, operationFunction, WRAP_UP_MAX_MS } from '../../lib/web/operation.js';

const SECRET = 'result-limit-web-secret-0123456789abcdef';
const ENV = { DIGITALOCEAN_TOKEN: `dop_v1_${'ab'.repeat(32)}`, OPS_WEB_SECRET: SECRET, LOG_LEVEL: 'error' };
const MB = 1024 * 1024;

function target(name: string): TargetResult {
  return {
    target: name,
    stdout: `${'x'.repeat(MB - 40)}\n[truncated: 12345 more bytes]`,
    stderr: 'e'.repeat(MB),
    exit_code: 3,
    duration_ms: 1500,
    truncated: true,
  };
}

/** Stands in for exec at its largest: two droplets, both streams at max_output_bytes. */
const bigExec: Operation<Record<string, unknown>, ExecResult> = {
  name: 'exec',
  summary: 'exec at its largest',
  mutating: false,
  input: z.object({}).passthrough(),
  run: async () => ({
    status: 'failed',
    deployment: 'base2-staging',
    result: {
      dry_run: false,
      targets: ['base2-staging-1', 'base2-staging-2'],
      results: [target('base2-staging-1'), target('base2-staging-2')],
    },
  }),
};

const web = (body: object) => ({
  http: {
    method: 'POST',
    path: '',
    headers: { 'content-type': 'application/json', 'x-require-whisk-auth': SECRET },
    body: JSON.stringify(body),
  },
});

describe('results under the 1 MB limit', () => {
  it('cuts a 4 MB exec result below the limit, marked, keeping status, targets and exit codes', async () => {
    const main = operationFunction(bigExec, { root: process.cwd(), env: ENV });
    const response = await main(web({ target: 'droplets', command: 'cat big' }), {
      getRemainingTimeInMillis: () => 60_000,
    });
    const size = Buffer.byteLength(JSON.stringify(response));
    console.log(`exec result: 4.0 MB of output returned as ${(size / 1024).toFixed(0)} KB`);
    expect(size).toBeLessThan(RESULT_LIMIT_BYTES);
    const body = response.body as unknown as {
      status: string;
      truncated: boolean;
      truncation: { how: string };
      result: { targets: string[]; results: TargetResult[] };
    };
    expect(response.statusCode).toBe(200);
    expect(body).toMatchObject({ status: 'failed', truncated: true });
    expect(body.truncation.how).toMatch(/strings longer than \d+ characters were cut/);
    expect(body.result.targets).toEqual(['base2-staging-1', 'base2-staging-2']);
    for (const result of body.result.results) {
      expect(result.exit_code).toBe(3);
      expect(result.stdout).toMatch(/… \[\d+ more characters\]$/);
    }
  });
});

describe('the operation deadline inside a function', () => {
  it('ends a wrap-up share before the invocation deadline, at most 5 s before it', () => {
    const invocation = deadlineFrom(
      { getRemainingTimeInMillis: () => 22_000 },
      { reserveMs: 2_000, clock: systemClock },
    );
    const operation = operationDeadline(invocation, systemClock);
    expect(invocation.remainingMs()).toBeGreaterThan(19_900);
    expect(operation.remainingMs()).toBeGreaterThan(15_900);
    expect(operation.remainingMs()).toBeLessThanOrEqual(16_000);
    const long = deadlineFrom(
      { getRemainingTimeInMillis: () => 900_000 },
      { reserveMs: 2_000, clock: systemClock, webLimitMs: Number.POSITIVE_INFINITY },
    );
    expect(long.remainingMs() - operationDeadline(long, systemClock).remainingMs()).toBeCloseTo(
      WRAP_UP_MAX_MS,
      -2,
    );
    invocation.dispose();
    long.dispose();
  });
});
