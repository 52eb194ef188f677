/**
 * edit in the operations table: faults while a live staging deployment is changed (droplet count,
 * image, DNS records, env). After any attempt nothing is duplicated and the change is either fully
 * applied or fully restored (edit's contract); the same edit run again converges, then changes nothing.
 */
import { expect } from 'vitest';
import { operations } from '../../lib/ops/index.js';
import type { AnyOperation } from '../../lib/ops/types.js';
import {
  expectLockAfter,
  expectNoDuplicates,
  generationsOf,
  isServing,
  liveImage,
  liveLocks,
  type Snapshot,
  snapshot,
} from './end-state.js';
import { type FaultCase, type MutatingEntry, statusOf } from './entry.js';
import { type Attempt, explain, type Harness, reportOf } from './harness.js';

const SLUG = 'base2-staging';
const HOUR = 3_600_000;
const edit = (operations as Record<string, AnyOperation>).edit!;
const deploy = (operations as Record<string, AnyOperation>).deploy!;
const maintain = (operations as Record<string, AnyOperation>).maintain!;

/** What an edit input asks for, in terms the end state can be checked against. */
interface Wanted {
  count?: number;
  tag?: string;
  www?: string;
  env?: Record<string, string>;
}

function wantedOf(input: Record<string, unknown> | undefined): Wanted {
  const records = input?.records as { add?: { name: string; data: string }[] } | undefined;
  const env = input?.set_env as Record<string, string> | undefined;
  return {
    ...(input?.droplet_count === undefined ? {} : { count: Number(input.droplet_count) }),
    ...(input?.image_tag === undefined ? {} : { tag: String(input.image_tag) }),
    ...(records?.add?.[0] ? { www: records.add[0].data } : {}),
    ...(env ? { env } : {}),
  };
}

async function liveEnv(h: Harness, s: Snapshot): Promise<Record<string, string>> {
  const app = s.apps[0];
  if (!app) return {};
  const response = await h.t.fetch(`${h.t.emu.apiUrl}/_emulator/live/${app.id}/`);
  return response.status === 200
    ? (((await response.json()) as { env?: Record<string, string> }).env ?? {})
    : {};
}

/** Records that point at the droplets never point at one that is gone. */
function expectDnsOnDroplets(s: Snapshot): void {
  const addresses = new Set(s.owned.map((d) => d.ip));
  for (const r of s.records.filter((r) => r.type === 'A' && r.name === '@')) {
    expect(addresses.has(r.data), `A @ ${r.data} points at an existing droplet`).toBe(true);
  }
}

const www = (s: Snapshot) => s.records.filter((r) => r.type === 'A' && r.name === 'www').map((r) => r.data);

/** The edit is there: each part it asked for, and the rest still serving. */
async function expectEdited(h: Harness, wanted: Wanted): Promise<void> {
  const s = await snapshot(h.t, SLUG);
  expectNoDuplicates(s);
  expect(liveLocks(s, h.clock.now()), 'a lock still held').toEqual([]);
  expect(s.owned.filter(isServing), 'serving droplets').toHaveLength(wanted.count ?? 2);
  expect(generationsOf(s)).toHaveLength(1);
  expect(await liveImage(h.t, s)).toContain(`base2:${wanted.tag ?? 'latest'}`);
  if (wanted.www) expect(www(s)).toEqual([wanted.www]);
  if (wanted.env) expect(await liveEnv(h, s)).toMatchObject(wanted.env);
}

/** Nothing of a failed edit remains: what it touched is as it was before. */
async function expectRestored(h: Harness, before: Snapshot): Promise<void> {
  const s = await snapshot(h.t, SLUG);
  expect(s.owned.filter(isServing).length, 'serving droplets after the restore').toBe(
    before.owned.filter(isServing).length,
  );
  expect(await liveImage(h.t, s), 'live image after the restore').toBe(await liveImage(h.t, before));
  expect(www(s), 'www records after the restore').toEqual(www(before));
}

/**
 * An edit killed mid-resize left a droplet powered off: the scheduled maintain (no one runs the edit
 * again) powers it on at the size it has, checks that it answers, and says so.
 */
async function maintainPowersOn(h: Harness): Promise<void> {
  // A power off posted just before the kill is still in progress at DigitalOcean: the droplet goes
  // off once that action completes (moments at the emulator's scale), with no one left to watch it.
  let off: string[] = [];
  let killed = await snapshot(h.t, SLUG);
  for (const until = Date.now() + 10_000; off.length === 0 && Date.now() < until; ) {
    killed = await snapshot(h.t, SLUG);
    off = killed.owned.filter((d) => d.status === 'off').map((d) => d.name);
    if (off.length === 0) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  expect(off.length, 'the kill left a droplet powered off').toBeGreaterThan(0);
  const run = await h.run(maintain, { env: 'staging' });
  expect(statusOf(run), explain(run)).toBe('succeeded');
  const result = reportOf(run).result as {
    repaired: { name: string; detail?: string; outcome: string }[];
    health: { kind: string; name: string; ok: boolean; detail: string }[];
  };
  for (const name of off) {
    expect(result.repaired, `${name} powered on`).toContainEqual(
      expect.objectContaining({ name, outcome: 'ok', detail: 'power on' }),
    );
  }
  const bad = result.health.filter((c) => !c.ok);
  expect(bad, bad.map((c) => `${c.name}: ${c.detail}`).join('; ')).toEqual([]);
  const after = await snapshot(h.t, SLUG);
  expectNoDuplicates(after);
  expect(liveLocks(after, h.clock.now()), 'a lock still held').toEqual([]);
  expect(after.owned.map((d) => `${d.name} ${d.status}`)).toEqual(
    killed.owned.map((d) => `${d.name} active`),
  );
  expect(after.owned.filter(isServing)).toHaveLength(2);
}

export const editEntry: MutatingEntry = {
  name: 'edit',
  slug: SLUG,
  valid: { env: 'staging', droplet_count: 3 },
  fields: {
    env: 'environment',
    dry_run: 'boolean',
    scale: 'json_scale',
    set_env: 'json_env',
    unset_env: 'key_list',
    image_tag: 'image_tag',
    image_digest: 'image_digest',
    records: 'json_records',
    droplet_count: 'count',
    droplet_size: 'size_slug',
    app_instances: 'pairs_count',
    app_size: 'pairs_size',
    lock_wait: 'seconds',
    resume: 'resume_token',
  },
  cli: ['edit', '--env', 'staging'],
  run: (h, input, options) => h.run(edit, { env: 'staging', ...input }, options),

  async prepare(h) {
    const first = await h.run(deploy, { env: 'staging' });
    expect(statusOf(first), explain(first)).toBe('succeeded');
  },

  async holds(h, before, attempt: Attempt, fault) {
    const after = await snapshot(h.t, SLUG);
    expectNoDuplicates(after);
    expectDnsOnDroplets(after);
    expectLockAfter(after, 'edit', attempt);
    if (attempt.error) expect(attempt.error.stack, 'no stack trace').toBeUndefined();
    const status = statusOf(attempt);
    if (status === 'failed') {
      const result = reportOf(attempt).result as { restore?: { ok: boolean; details: string[] } };
      if (result.restore) expect(result.restore.ok, result.restore.details.join('; ')).toBe(true);
      await expectRestored(h, before);
    }
    if (status === 'error') await expectRestored(h, before);
    if (status === 'succeeded') await expectEdited(h, wantedOf(fault.input));
  },

  async holdsMidway(h, before, input) {
    const s = await snapshot(h.t, SLUG);
    expectNoDuplicates(s);
    expectDnsOnDroplets(s);
    expect(await liveImage(h.t, s), 'the app still serves').toBeDefined();
    // A scale-down cut short may already have deleted some of what it takes away, never more; a
    // resize rolls one droplet at a time, so at most that one is down.
    const serving = before.owned.filter(isServing).length;
    const rolling = input.droplet_size === undefined ? 0 : 1;
    expect(s.owned.filter(isServing).length, 'droplets still serving').toBeGreaterThanOrEqual(
      Math.min(serving, wantedOf(input).count ?? serving) - rolling,
    );
  },

  async converges(h, fault, resume) {
    const input = { env: 'staging', ...fault.input };
    const again = await h.run(edit, { ...input, ...(resume ? { resume } : {}) });
    expect(statusOf(again), explain(again)).toMatch(/^(succeeded|noop)$/);
    await expectEdited(h, wantedOf(fault.input));
    const settled = await snapshot(h.t, SLUG);
    const apex = settled.records.filter((r) => r.type === 'A' && r.name === '@').map((r) => r.data);
    expect(apex.sort(), 'A @ follows the droplets').toEqual(
      settled.owned
        .filter(isServing)
        .map((d) => d.ip)
        .sort(),
    );
    const quiet = await h.run(edit, input);
    expect(statusOf(quiet), explain(quiet)).toBe('noop');
    expect(reportOf(quiet).api_calls.mutating, 'mutating calls of an edit already applied').toBe(0);
  },

  interruptions: [
    {
      label: 'an edit adding a droplet',
      from: 'deployed',
      input: { droplet_count: 3 },
      killAfterMutations: [1, 2],
    },
    {
      // Five mutating calls (the lock, DNS letting go of droplet 2, the deleting mark and its tag, the
      // delete): the kill lands in the wait.
      label: 'an edit scaling down, while DigitalOcean deletes the droplet (an hour)',
      from: 'deployed',
      input: { droplet_count: 1 },
      killAfterMutations: [5, 5],
      timing: { dropletDeleteMs: HOUR },
    },
    {
      label: 'an edit of the image',
      from: 'deployed',
      input: { image_tag: '1.4.2' },
      killAfterMutations: [1, 4],
    },
    {
      // Killed once the first droplet's power off (1) or its resize (2) is posted: it is left off,
      // at the old size or the new, and no one runs the edit again.
      label: 'an edit resizing the droplets, killed with one powered off: maintain powers it on',
      from: 'deployed',
      input: { droplet_size: 's-2vcpu-2gb' },
      killAfterMutations: [1, 2],
      counts: (r) => r.method === 'POST' && /^\/v2\/droplets\/\d+\/actions$/.test(r.path),
      recover: maintainPowersOn,
    },
  ],

  faults: [
    f('droplet create commits, then 500', { droplet_count: 3 }, [
      { method: 'POST', path: '/v2/droplets', mode: 'commit-then-error', status: 500, count: 1 },
    ]),
    f(
      'droplet create keeps failing: restored',
      { droplet_count: 3 },
      [{ method: 'POST', path: '/v2/droplets', mode: 'error', status: 500 }],
      ['failed'],
    ),
    f(
      'the new build fails: restored',
      { image_tag: '1.5.0' },
      [{ kind: 'build', image: 'base2:1.5.0', phase: 'build', count: 1 }],
      ['failed'],
    ),
    f('app update commits, then the connection drops', { image_tag: '1.4.2' }, [
      { method: 'PUT', path: '/v2/apps/*', mode: 'commit-then-drop', count: 1 },
    ]),
    f(
      'record create commits, then the connection drops',
      { records: { add: [{ type: 'A', name: 'www', data: '203.0.113.7' }] } },
      [{ method: 'POST', path: '/v2/domains/*/records', mode: 'commit-then-drop', count: 1 }],
    ),
    f('a 429 storm while env is set', { set_env: { BASE2_FEATURE: 'on' } }, [
      { path: '/v2/**', mode: 'error', status: 429, count: 3 },
    ]),
    f('a 5xx burst on reads', { droplet_count: 3 }, [
      { method: 'GET', path: '/v2/**', mode: 'error', status: 503, count: 4, probability: 0.5, seed: 9 },
    ]),
    {
      ...f('the deadline passes while the new image builds', { image_tag: '1.4.2' }, [], ['in_progress']),
      timeoutMs: 1_500,
    },
    // Deletes are asynchronous and the account has a droplet limit, as on DigitalOcean.
    {
      ...f(
        'a scale-down whose delete takes an hour: the deadline comes during the wait',
        { droplet_count: 1 },
        [],
        ['in_progress'],
      ),
      group: 'deletes',
      timing: { dropletDeleteMs: HOUR },
      timeoutMs: 20_000,
    },
    {
      ...f(
        'an image change whose old generation takes a minute to be deleted',
        { image_tag: '1.4.2' },
        [],
        ['succeeded'],
      ),
      group: 'deletes',
      timing: { dropletDeleteMs: 60_000 },
    },
    {
      ...f(
        'the droplet limit cannot hold a new generation: refused, nothing changed',
        { image_tag: '1.4.2' },
        [],
        ['failed'],
      ),
      group: 'deletes',
      dropletLimit: 3,
    },
  ],
};

function f(
  label: string,
  input: Record<string, unknown>,
  rules: unknown[],
  expected?: FaultCase['expect'],
): FaultCase {
  return { group: 'edit', label, from: 'deployed', rules, input, ...(expected ? { expect: expected } : {}) };
}
