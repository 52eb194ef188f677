/**
 * deploy in the operations table: where faults strike a deploy of the staging deployment (app,
 * droplets, DNS and firewall), and what must hold after each: no duplicates, no droplets left by a
 * failed attempt, every target serving its previous version or the new one, and a re-run converging.
 */
import { expect } from 'vitest';
import { REALISTIC_TIMING } from '../../emulator/timing.js';
import { deployOperation } from '../../lib/ops/deploy/index.js';
import {
  expectLockAfter,
  expectNoDuplicates,
  expectNoOrphans,
  generationsOf,
  isServing,
  liveImage,
  liveLocks,
  snapshot,
} from './end-state.js';
import type { FaultCase, MutatingEntry } from './entry.js';
import { statusOf } from './entry.js';
import { type Attempt, explain, type Harness, reportOf } from './harness.js';

const SLUG = 'base2-staging';
const DROPLET_COUNT = 2;
const HOUR = 3_600_000;
/** A build of this tag fails when a case says so; the first version is `latest`. */
const NEXT = '1.5.0';

const tagOf = (input: Record<string, unknown> | undefined) => String(input?.image_tag ?? 'latest');

async function deploy(
  h: Harness,
  input: Record<string, unknown>,
  options: { env?: Record<string, string>; timeoutMs?: number } = {},
) {
  return h.run(deployOperation, { env: 'staging', ...input }, options);
}

/** Everything the manifest asks for exists once, serves, and DNS points at it. */
async function expectDeployed(h: Harness, tag: string, size?: string): Promise<void> {
  const s = await snapshot(h.t, SLUG);
  expectNoDuplicates(s);
  expect(s.owned.filter(isServing), 'serving droplets').toHaveLength(DROPLET_COUNT);
  expect(s.owned, 'owned droplets').toHaveLength(DROPLET_COUNT);
  expect(generationsOf(s), 'droplet generations').toHaveLength(1);
  if (size) expect(s.owned.map((d) => d.size)).toEqual(s.owned.map(() => size));
  expect(s.apps).toHaveLength(1);
  expect(await liveImage(h.t, s), 'live image').toContain(`base2:${tag}`);
  expect(s.firewalls).toHaveLength(1);
  expect(s.sshKeys).toHaveLength(1);
  expect(liveLocks(s, h.clock.now()), 'a lock still held').toEqual([]);
  const a = s.records.filter((r) => r.type === 'A' && r.name === '@').map((r) => r.data);
  expect(a.sort()).toEqual(s.owned.map((d) => d.ip).sort());
  expect(s.records.filter((r) => r.type === 'CNAME' && r.name === 'app')).toHaveLength(1);
}

/**
 * Each target serves its previous version or the new one, completely; DNS points only at serving
 * droplets. `down`: droplets that may be out of service, as one is while a rolling resize that the
 * deadline cut short waits for the next call.
 */
async function expectServing(
  h: Harness,
  before: Awaited<ReturnType<typeof snapshot>>,
  tag: string,
  down = 0,
) {
  // A droplet powered on again reads `off` for a few seconds after the action completed, as on
  // DigitalOcean (droplet_kit#50): serving is judged once the status has caught up.
  await h.t.emu.clock.sleep(REALISTIC_TIMING.statusLagMs);
  const after = await snapshot(h.t, SLUG);
  const previous = await liveImage(h.t, before);
  if (previous) {
    const live = await liveImage(h.t, after);
    expect([previous, `registry.digitalocean.com/base2-tests/base2:${tag}`], 'live image').toContain(live);
  }
  const servedBefore = before.owned.filter(isServing);
  if (servedBefore.length > 0) {
    const byGeneration = new Map<string, number>();
    for (const d of after.owned.filter(isServing)) {
      const generation = d.name.slice(SLUG.length + 1).split('-')[0] ?? '';
      byGeneration.set(generation, (byGeneration.get(generation) ?? 0) + 1);
    }
    expect(Math.max(0, ...byGeneration.values()), 'a complete generation serving').toBeGreaterThanOrEqual(
      servedBefore.length - down,
    );
  }
  // A droplet resized in place keeps its address, so DNS keeps pointing at it while it is down.
  const serving = new Set(after.owned.filter(isServing).map((d) => d.ip));
  const resizing = new Set(after.owned.filter((d) => !isServing(d)).map((d) => d.ip));
  const elsewhere = after.records.filter((r) => r.type === 'A' && !serving.has(r.data));
  for (const r of elsewhere) {
    expect(down > 0 && resizing.has(r.data), `A ${r.name} ${r.data} points at a serving droplet`).toBe(true);
  }
  expect(new Set(elsewhere.map((r) => r.data)).size, 'droplets out of service').toBeLessThanOrEqual(down);
}

export const deployEntry: MutatingEntry = {
  name: 'deploy',
  slug: SLUG,
  valid: { env: 'staging' },
  fields: {
    env: 'environment',
    image_tag: 'image_tag',
    image_digest: 'image_digest',
    dry_run: 'boolean',
    keep_failed: 'boolean',
    adopt_app: 'boolean',
    lock_wait: 'seconds',
    resume: 'resume_token',
  },
  cli: ['deploy', '--env', 'staging'],
  run: (h, input, options) => deploy(h, input, options),

  async prepare(h, from, env) {
    if (from === 'empty') return;
    const first = await deploy(h, {}, { ...(env ? { env } : {}) });
    expect(statusOf(first), explain(first)).toBe('succeeded');
  },

  async holds(h, before, attempt: Attempt, fault) {
    const after = await snapshot(h.t, SLUG);
    expectNoDuplicates(after);
    expectLockAfter(after, 'deploy', attempt);
    const status = statusOf(attempt);
    if (attempt.error) {
      expect(attempt.error.describe().length, 'one clear sentence').toBeGreaterThan(20);
      expect(attempt.error.stack, 'no stack trace').toBeUndefined();
    }
    if ((status === 'failed' || status === 'error') && !fault.input?.keep_failed)
      expectNoOrphans(before, after);
    if (status === 'failed') expect(reportOf(attempt).result).toHaveProperty('failure');
    const rolling = fault.env?.HARDEN_DROPLET_SIZE !== undefined && status === 'in_progress';
    await expectServing(h, before, tagOf(fault.input), rolling ? 1 : 0);
    if (status === 'succeeded' || status === 'noop')
      await expectDeployed(h, tagOf(fault.input), fault.env?.HARDEN_DROPLET_SIZE);
  },

  async holdsMidway(h, before, input) {
    expectNoDuplicates(await snapshot(h.t, SLUG));
    await expectServing(h, before, tagOf(input));
  },

  interruptions: [
    { label: 'a first deploy, while creating', from: 'empty', killAfterMutations: [1, 5] },
    { label: 'a first deploy, while pointing DNS', from: 'empty', killAfterMutations: [6, 9] },
    { label: 'an upgrade', from: 'deployed', input: { image_tag: '1.4.2' }, killAfterMutations: [1, 6] },
  ],

  async converges(h, fault, resume) {
    const options = fault.env ? { env: fault.env } : {};
    const again = await deploy(h, { ...fault.input, ...(resume ? { resume } : {}) }, options);
    expect(statusOf(again), explain(again)).toMatch(/^(succeeded|noop)$/);
    await expectDeployed(h, tagOf(fault.input), fault.env?.HARDEN_DROPLET_SIZE);
    const quiet = await deploy(h, fault.input ?? {}, options);
    expect(statusOf(quiet), explain(quiet)).toBe('noop');
    expect(reportOf(quiet).api_calls.mutating, 'mutating calls of a no-change deploy').toBe(0);
  },

  faults: [
    // Reads: rate limits, server errors and slowness while the world is read and watched.
    f('reads', 'a 429 storm on reads', 'empty', [
      { method: 'GET', path: '/v2/**', mode: 'error', status: 429, count: 6 },
    ]),
    f('reads', 'a 5xx burst on reads', 'empty', [
      { method: 'GET', path: '/v2/**', mode: 'error', status: 503, count: 10, probability: 0.5, seed: 9 },
    ]),
    f('reads', 'a latency spike past the request timeout', 'empty', [
      { method: 'GET', path: '/v2/apps', mode: 'latency', latency_ms: 1_200_000, count: 1 },
    ]),
    f(
      'reads',
      'latency on every call',
      'deployed',
      [{ path: '/v2/**', mode: 'latency', latency_ms: 3_000 }],
      {
        input: { image_tag: '1.4.2' },
      },
    ),
    f('reads', 'dropped connections on reads', 'empty', [
      { method: 'GET', path: '/v2/**', mode: 'drop', count: 4 },
    ]),
    // Writes: the server acted (or not) and the answer was lost.
    f('writes', 'a 429 storm on creates', 'empty', [
      { method: 'POST', path: '/v2/**', mode: 'error', status: 429, count: 8 },
    ]),
    f('writes', '500 before acting, on every kind of create', 'empty', [
      { method: 'POST', path: '/v2/**', mode: 'error', status: 500, count: 3 },
    ]),
    f('writes', 'droplet create commits, then 500', 'empty', [
      { method: 'POST', path: '/v2/droplets', mode: 'commit-then-error', status: 500, count: 1 },
    ]),
    f('writes', 'droplet create commits, then the connection drops', 'empty', [
      { method: 'POST', path: '/v2/droplets', mode: 'commit-then-drop', count: 1 },
    ]),
    f('writes', 'app create commits, then the connection drops', 'empty', [
      { method: 'POST', path: '/v2/apps', mode: 'commit-then-drop', count: 1 },
    ]),
    f('writes', 'firewall create dropped before the server acted', 'empty', [
      { method: 'POST', path: '/v2/firewalls', mode: 'drop', count: 1 },
    ]),
    f('writes', 'DNS record create commits, then 502', 'empty', [
      { method: 'POST', path: '/v2/domains/*/records', mode: 'commit-then-error', status: 502, count: 1 },
    ]),
    f('writes', 'domain create commits, then the connection drops', 'empty', [
      { method: 'POST', path: '/v2/domains', mode: 'commit-then-drop', count: 1 },
    ]),
    f('writes', 'lock acquire commits, then the connection drops', 'empty', [
      { method: 'POST', path: '/v2/account/keys', mode: 'commit-then-drop', count: 1 },
    ]),
    f('writes', 'SSH key create commits, then 500', 'empty', [
      { method: 'POST', path: '/v2/account/keys', mode: 'commit-then-error', status: 500, skip: 1, count: 1 },
    ]),
    // Upgrades: a new version over a live one; the old one must keep serving until the new one does.
    f(
      'upgrade',
      'the new build fails',
      'deployed',
      [{ kind: 'build', image: `base2:${NEXT}`, phase: 'build', count: 1 }],
      {
        input: { image_tag: NEXT },
        expect: ['failed'],
      },
    ),
    f(
      'upgrade',
      'the new deployment fails to start',
      'deployed',
      [{ kind: 'build', image: `base2:${NEXT}`, phase: 'deploy', count: 1 }],
      { input: { image_tag: NEXT }, expect: ['failed'] },
    ),
    f(
      'upgrade',
      'a failed build with keep_failed',
      'deployed',
      [{ kind: 'build', image: `base2:${NEXT}`, phase: 'build', count: 1 }],
      { input: { image_tag: NEXT, keep_failed: true }, expect: ['failed'] },
    ),
    f(
      'upgrade',
      'a 500 burst while the old droplets are retired',
      'deployed',
      [{ method: 'DELETE', path: '/v2/droplets/*', mode: 'error', status: 500, count: 3 }],
      { input: { image_tag: '1.4.2' } },
    ),
    f(
      'upgrade',
      'reads of a resize action fail (503 burst)',
      'deployed',
      [{ method: 'GET', path: '/v2/actions/*', mode: 'error', status: 503, count: 3 }],
      { env: { HARDEN_DROPLET_SIZE: 's-2vcpu-2gb' } },
    ),
    f(
      'upgrade',
      'a resize fails half-way through the roll (500 on the first resize request)',
      'deployed',
      // The first action request is a power off; the resize after it fails.
      [{ method: 'POST', path: '/v2/droplets/*/actions', mode: 'error', status: 500, skip: 1, count: 1 }],
      { env: { HARDEN_DROPLET_SIZE: 's-2vcpu-2gb' }, expect: ['failed'] },
    ),
    f(
      'upgrade',
      'a resize action ends errored on DigitalOcean’s side',
      'deployed',
      [{ kind: 'action', type: 'resize', count: 1 }],
      { env: { HARDEN_DROPLET_SIZE: 's-2vcpu-2gb' }, expect: ['failed'] },
    ),
    f('upgrade', 'the deadline passes during a rolling resize', 'deployed', [], {
      env: { HARDEN_DROPLET_SIZE: 's-2vcpu-2gb' },
      timeoutMs: 1_500,
      expect: ['in_progress'],
    }),
    // The deadline running out: before the first read (phase 1 still applies; everything after it
    // waits for the next call), while the platform builds and boots, and while a new generation
    // boots beside the old one.
    f('deadline', 'the deadline has passed before the first read', 'empty', [], {
      timeoutMs: 0,
      expect: ['in_progress'],
    }),
    f('deadline', 'the deadline passes while droplets boot and the app builds', 'empty', [], {
      timeoutMs: 2_500,
      expect: ['in_progress'],
    }),
    // Later deadlines land, depending on the machine's load, as the platform finishes, at verification
    // or while the old generation is retired: wherever they land, the same invariants hold.
    f('deadline', 'the deadline passes around verification', 'empty', [], { timeoutMs: 6_000 }),
    f('deadline', 'the deadline passes while an old generation is retired', 'deployed', [], {
      input: { image_tag: '1.4.2' },
      timeoutMs: 9_000,
    }),
    // Deletes are asynchronous and the account has a droplet limit, as on DigitalOcean.
    f(
      'deletes',
      'the droplet limit cannot hold the old and the new generation: refused, nothing changed',
      'deployed',
      [],
      {
        input: { image_tag: '1.4.2' },
        dropletLimit: 3,
        expect: ['failed'],
      },
    ),
    f(
      'deletes',
      'the old generation takes an hour to be deleted: the deadline comes during the wait',
      'deployed',
      [],
      {
        input: { image_tag: '1.4.2' },
        timing: { dropletDeleteMs: HOUR },
        timeoutMs: 30_000,
        expect: ['in_progress'],
      },
    ),
    f('upgrade', 'the deadline passes while the new generation boots', 'deployed', [], {
      input: { image_tag: '1.4.2' },
      timeoutMs: 3_000,
      expect: ['in_progress'],
    }),
  ],
};

function f(
  group: string,
  label: string,
  from: FaultCase['from'],
  rules: unknown[],
  extra: Partial<FaultCase> = {},
): FaultCase {
  return { group, label, from, rules, ...extra };
}
