/**
 * maintain in the operations table: faults while the scheduled repair puts a drifted staging
 * deployment back (a droplet re-created, apex records and a firewall rule restored), or cleans up
 * an older droplet generation an interrupted deploy left. After any attempt nothing is duplicated,
 * nothing current that served stops, DNS points only at owned droplets and the lock is given back;
 * a re-run repairs everything, and the run after it changes nothing.
 */
import { expect } from 'vitest';
import { deployOperation } from '../../lib/ops/deploy/index.js';
import { maintainOperation } from '../../lib/ops/maintain/index.js';
import { expectLockAfter, snapshot } from './end-state.js';
import { type FaultCase, type MutatingEntry, statusOf } from './entry.js';
import { type Attempt, explain, type Harness, reportOf } from './harness.js';
import {
  driftByHand,
  expectNothingBroken,
  expectRepaired,
  leaveOldGeneration,
  SLUG,
} from './maintain-drift.js';

const maintain = (h: Harness, input: Record<string, unknown> = {}, options = {}) =>
  h.run(maintainOperation, { env: 'staging', ...input }, options);

interface Outcome {
  failure?: { detail: string };
  health: { ok: boolean; detail: string }[];
}

export const maintainEntry: MutatingEntry = {
  name: 'maintain',
  slug: SLUG,
  valid: { env: 'staging' },
  fields: {
    env: 'environment',
    dry_run: 'boolean',
    report_only: 'boolean',
    cleanup: 'boolean',
    lock_wait: 'seconds',
  },
  cli: ['maintain', '--env', 'staging'],
  run: (h, input, options) => maintain(h, input, options),

  async prepare(h, from) {
    if (from === 'empty') return;
    const deployed = await h.run(deployOperation, { env: 'staging' });
    expect(statusOf(deployed), explain(deployed)).toBe('succeeded');
    if (from === 'drifted') await driftByHand(h);
    if (from === 'stale') await leaveOldGeneration(h);
  },

  async holds(h, before, attempt: Attempt) {
    const after = await snapshot(h.t, SLUG);
    expectNothingBroken(before, after);
    expectLockAfter(after, 'maintain', attempt);
    if (attempt.error) {
      expect(attempt.error.describe().length, 'one clear sentence').toBeGreaterThan(20);
      expect(attempt.error.stack, 'no stack trace').toBeUndefined();
    }
    const status = statusOf(attempt);
    if (status === 'failed') {
      // A failed maintain says why: what went wrong, or which check of what serves did not pass.
      const result = reportOf(attempt).result as Outcome;
      const reasons = [result.failure?.detail, ...result.health.filter((c) => !c.ok).map((c) => c.detail)];
      expect(reasons.filter(Boolean).length, 'a failed maintain gives its reason').toBeGreaterThan(0);
      expect(result.failure?.detail ?? '', 'no stack trace').not.toMatch(/\n\s+at /);
    }
    if (status === 'succeeded') await expectRepaired(h);
  },

  async holdsMidway(h, before) {
    expectNothingBroken(before, await snapshot(h.t, SLUG));
  },

  async converges(h) {
    const again = await maintain(h);
    expect(statusOf(again), explain(again)).toMatch(/^(succeeded|noop)$/);
    await expectRepaired(h);
    const quiet = await maintain(h);
    expect(statusOf(quiet), explain(quiet)).toBe('noop');
    expect(reportOf(quiet).api_calls.mutating, 'mutating calls of a maintain with nothing to do').toBe(0);
  },

  interruptions: [
    { label: 'a repair, as it takes the lock', from: 'drifted', killAfterMutations: [1, 1] },
    { label: 'a repair, while re-creating and restoring', from: 'drifted', killAfterMutations: [2, 3] },
    {
      label: 'a repair, while DNS follows the re-created droplet',
      from: 'drifted',
      killAfterMutations: [4, 5],
    },
    { label: 'a clean-up of an older generation', from: 'stale', killAfterMutations: [2, 3] },
  ],

  faults: [
    // Faults the client rides out (retries, idempotent writes, lookups before creating): the run
    // itself still repairs everything.
    f('a 429 storm on reads', [{ method: 'GET', path: '/v2/**', mode: 'error', status: 429, count: 6 }]),
    f('a 5xx burst on reads', [{ method: 'GET', path: '/v2/**', mode: 'error', status: 503, count: 3 }]),
    f('a latency spike past the request timeout', [
      { method: 'GET', path: '/v2/droplets', mode: 'latency', latency_ms: 1_200_000, count: 1 },
    ]),
    f('droplet create commits, then the connection drops', [
      { method: 'POST', path: '/v2/droplets', mode: 'commit-then-drop', count: 1 },
    ]),
    f('droplet create answers 500 before acting', [
      { method: 'POST', path: '/v2/droplets', mode: 'error', status: 500, count: 1 },
    ]),
    f('DNS record update commits, then 502', [
      { method: 'PUT', path: '/v2/domains/*/records/*', mode: 'commit-then-error', status: 502, count: 1 },
    ]),
    f('DNS record create commits, then 502', [
      { method: 'POST', path: '/v2/domains/*/records', mode: 'commit-then-error', status: 502, count: 1 },
    ]),
    f('a 5xx burst on the firewall update', [
      { method: 'PUT', path: '/v2/firewalls/*', mode: 'error', status: 503, count: 3 },
    ]),
    f('lock acquire commits, then the connection drops', [
      { method: 'POST', path: '/v2/account/keys', mode: 'commit-then-drop', count: 1 },
    ]),
    f('the lock release is dropped', [
      { method: 'DELETE', path: '/v2/account/keys/*', mode: 'drop', count: 1 },
    ]),
    // Faults that outlast the run: it stops, says why, and the next run finishes.
    f(
      'scattered 5xx on reads (half of the next ten)',
      [{ method: 'GET', path: '/v2/**', mode: 'error', status: 503, count: 10, probability: 0.5, seed: 9 }],
      // Four in a row on one read exhaust its retries: the run may then fail or stop with an error
      // (a survey read is not retried further); either way with its reason and nothing broken.
      { expect: undefined },
    ),
    f(
      'droplet create keeps failing',
      [{ method: 'POST', path: '/v2/droplets', mode: 'error', status: 500 }],
      {
        expect: ['failed'],
      },
    ),
    // The deadline running out at each step of a repair: before the first read, while the droplet
    // boots, as it starts answering its health checks, while DNS follows it. Past the deadline a
    // health probe is aborted, which is no verdict on the droplet: never `failed`.
    d('the deadline has passed before the first read', 0, ['in_progress']),
    d('the deadline passes while the re-created droplet boots', 1_000),
    d('the deadline passes as the re-created droplet starts to answer', 2_000),
    d('the deadline passes while its health is checked', 2_150),
    d('the deadline passes while DNS follows it', 2_300),
    // An older generation to clean up, beside the current one.
    c('a droplet delete commits, then the connection drops', [
      { method: 'DELETE', path: '/v2/droplets/*', mode: 'commit-then-drop', count: 1 },
    ]),
    c('a 500 burst on droplet deletes', [
      { method: 'DELETE', path: '/v2/droplets/*', mode: 'error', status: 500, count: 3 },
    ]),
    c('a 429 storm on reads', [{ method: 'GET', path: '/v2/**', mode: 'error', status: 429, count: 6 }]),
    c(
      'droplet deletes keep being refused',
      [{ method: 'DELETE', path: '/v2/droplets/*', mode: 'error', status: 403 }],
      {
        expect: ['failed'],
      },
    ),
    // The health checks that gate the clean-up cannot answer past the deadline: the run is unfinished
    // (in_progress), not the deployment unhealthy (failed).
    c('the deadline has passed before the first read', [], { timeoutMs: 0, expect: ['in_progress'] }),
  ],
};

/** A drifted deployment's repair cut short by the deadline after `timeoutMs` (virtual). */
function d(label: string, timeoutMs: number, expected: FaultCase['expect'] = ['in_progress', 'succeeded']) {
  return f(label, [], { group: 'deadline', timeoutMs, expect: expected });
}

/** A case on the deployment beside an older generation; it ends `succeeded` unless `extra` says otherwise. */
function c(label: string, rules: unknown[], extra: Partial<FaultCase> = {}): FaultCase {
  return { ...f(label, rules, extra), group: 'cleanup', from: 'stale' };
}

/** A case on the drifted deployment; it ends `succeeded` unless `extra` says otherwise. */
function f(label: string, rules: unknown[], extra: Partial<FaultCase> = {}): FaultCase {
  return { group: 'maintain', label, from: 'drifted', rules, expect: ['succeeded'], ...extra };
}
