/**
 * teardown in the operations table: faults while a live staging deployment is deleted, next to a
 * look-alike droplet (the deployment's tag, not the ownership tag). After any attempt nothing new
 * exists and the look-alike is untouched; a re-run removes every owned resource and then does nothing.
 */
import { expect } from 'vitest';
import { deployOperation } from '../../lib/ops/deploy/index.js';
import { teardownOperation } from '../../lib/ops/teardown/index.js';
import {
  expectLockAfter,
  expectLookalikesUntouched,
  expectNoDuplicates,
  type Snapshot,
  snapshot,
} from './end-state.js';
import { type FaultCase, type MutatingEntry, statusOf } from './entry.js';
import { explain, type Harness, reportOf } from './harness.js';

const SLUG = 'base2-staging';
const LOOKALIKE = `${SLUG}-handmade`;
const HOUR = 3_600_000;
const APP_STUCK = [{ method: 'DELETE', path: '/v2/apps/*', mode: 'error', status: 500 }];

/** Owned ids that are in `after` but were not in `before`: teardown must never create. */
function created(before: Snapshot, after: Snapshot): string[] {
  const known = new Set([...before.owned.map((d) => String(d.id)), ...before.apps.map((a) => a.id)]);
  return [...after.owned.map((d) => String(d.id)), ...after.apps.map((a) => a.id)].filter(
    (id) => !known.has(id),
  );
}

async function expectNothingOwned(h: Harness): Promise<Snapshot> {
  const s = await snapshot(h.t, SLUG);
  expect(s.owned, 'owned droplets').toEqual([]);
  expect(s.apps, 'the app').toEqual([]);
  expect(s.firewalls, 'the firewall').toEqual([]);
  expect(s.sshKeys, 'the SSH key').toEqual([]);
  expect(s.lockKeys, 'the lock').toEqual([]);
  const managed = s.records.filter(
    (r) => (r.type === 'A' && r.name === '@') || (r.type === 'CNAME' && r.name === 'app'),
  );
  expect(managed, 'managed DNS records').toEqual([]);
  return s;
}

export const teardownEntry: MutatingEntry = {
  name: 'teardown',
  slug: SLUG,
  valid: { env: 'staging' },
  fields: {
    env: 'environment',
    dry_run: 'boolean',
    include_registry: 'boolean',
    adopt_app: 'boolean',
    lock_wait: 'seconds',
    resume: 'resume_token',
  },
  cli: ['teardown', '--env', 'staging'],
  run: (h, input, options) => h.run(teardownOperation, { env: 'staging', ...input }, options),

  async prepare(h) {
    const deployed = await h.run(deployOperation, { env: 'staging' });
    expect(statusOf(deployed), explain(deployed)).toBe('succeeded');
    await h.t.dots.v2.droplets.post({
      name: LOOKALIKE,
      region: 'nyc3',
      size: 's-1vcpu-1gb',
      image: 'debian-12-x64',
      tags: [SLUG],
    } as never);
  },

  async holds(h, before, attempt) {
    const after = await snapshot(h.t, SLUG);
    expectNoDuplicates(after);
    expectLookalikesUntouched(before, after);
    expect(created(before, after), 'resources a teardown created').toEqual([]);
    expectLockAfter(after, 'teardown', attempt);
    if (attempt.error) expect(attempt.error.stack, 'no stack trace').toBeUndefined();
    if (statusOf(attempt) === 'succeeded') await expectNothingOwned(h);
    if (statusOf(attempt) === 'failed') expect(reportOf(attempt).result).toHaveProperty('failure');
  },

  async holdsMidway(h, before) {
    const after = await snapshot(h.t, SLUG);
    expectNoDuplicates(after);
    expectLookalikesUntouched(before, after);
    expect(created(before, after), 'resources a teardown created').toEqual([]);
  },

  interruptions: [
    // The app delete keeps failing while the child runs, so the kill always finds work left.
    {
      label: 'a teardown, as it takes the lock',
      from: 'deployed',
      killAfterMutations: [1, 1],
      rules: APP_STUCK,
    },
    { label: 'a teardown, between deletes', from: 'deployed', killAfterMutations: [2, 3], rules: APP_STUCK },
    {
      // Nine mutating calls (the lock, the deleting mark and its tag, each delete): the kill lands in the wait.
      label: 'a teardown, while DigitalOcean deletes the droplets (an hour)',
      from: 'deployed',
      killAfterMutations: [9, 9],
      timing: { dropletDeleteMs: HOUR },
    },
    {
      label: 'a teardown, while it retries a failing app delete',
      from: 'deployed',
      killAfterMutations: [4, 5],
      rules: APP_STUCK,
    },
  ],

  async converges(h, _fault, resume) {
    const before = await snapshot(h.t, SLUG);
    const again = await h.run(teardownOperation, { env: 'staging', ...(resume ? { resume } : {}) });
    expect(statusOf(again), explain(again)).toMatch(/^(succeeded|noop)$/);
    const after = await expectNothingOwned(h);
    expectLookalikesUntouched(before, after);
    expect(after.lookalikes.map((d) => d.name)).toEqual([LOOKALIKE]);
    const quiet = await h.run(teardownOperation, { env: 'staging' });
    expect(statusOf(quiet), explain(quiet)).toBe('noop');
    expect(reportOf(quiet).api_calls.mutating, 'mutating calls of a teardown with nothing left').toBe(0);
  },

  faults: [
    f('a 429 storm on reads', [{ method: 'GET', path: '/v2/**', mode: 'error', status: 429, count: 6 }]),
    f('a 5xx burst on deletes', [
      { method: 'DELETE', path: '/v2/**', mode: 'error', status: 503, count: 6, probability: 0.6, seed: 9 },
    ]),
    f(
      'the app delete keeps failing',
      [{ method: 'DELETE', path: '/v2/apps/*', mode: 'error', status: 500 }],
      ['failed'],
    ),
    f('the bulk droplet delete commits, then the connection drops', [
      { method: 'DELETE', path: '/v2/droplets', mode: 'commit-then-drop', count: 1 },
    ]),
    f('the firewall delete commits, then 500', [
      { method: 'DELETE', path: '/v2/firewalls/*', mode: 'commit-then-error', status: 500, count: 1 },
    ]),
    f('the domain delete is dropped before the server acts', [
      { method: 'DELETE', path: '/v2/domains/*', mode: 'drop', count: 1 },
    ]),
    f('a latency spike past the request timeout', [
      { method: 'GET', path: '/v2/droplets', mode: 'latency', latency_ms: 1_200_000, count: 1 },
    ]),
    f('the lock release is dropped', [
      { method: 'DELETE', path: '/v2/account/keys/*', mode: 'drop', count: 1 },
    ]),
    {
      ...f(
        'DigitalOcean takes a minute to delete the droplets: teardown waits, then verifies',
        [],
        ['succeeded'],
      ),
      group: 'deletes',
      timing: { dropletDeleteMs: 60_000 },
    },
    {
      ...f(
        'DigitalOcean takes an hour to delete the droplets: the deadline comes during the wait',
        [],
        ['in_progress'],
      ),
      group: 'deletes',
      timing: { dropletDeleteMs: HOUR },
      timeoutMs: 20_000,
    },
    {
      group: 'deadline',
      label: 'the deadline has passed before the first read',
      from: 'deployed',
      rules: [],
      timeoutMs: 0,
    },
    {
      group: 'deadline',
      label: 'the deadline passes while deleting',
      from: 'deployed',
      rules: [],
      timeoutMs: 1_500,
    },
  ],
};

function f(label: string, rules: unknown[], expected?: FaultCase['expect']): FaultCase {
  return { group: 'teardown', label, from: 'deployed', rules, ...(expected ? { expect: expected } : {}) };
}
