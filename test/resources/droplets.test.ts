import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { OWNER_TAG } from '../../lib/config/identity.js';
import type { Deployment } from '../../lib/config/manifest.js';
import {
  type ActualDroplets,
  type DesiredDroplets,
  dropletsModule,
} from '../../lib/resources/droplets/index.js';
import { sshKeyModule } from '../../lib/resources/ssh-key/index.js';
import type { Facts, PlanStep } from '../../lib/resources/types.js';
import { waitFor } from '../../lib/resources/wait.js';
import { startTestEmulator, type TestEmulator } from '../support/emulator.js';
import { type TestContext, testContext } from '../support/op-context.js';

const NO_FACTS: Facts = { dropletIpv4: [] };
const SLUG = 'base2-staging';

let t: TestEmulator;
let tc: TestContext;

beforeAll(async () => {
  t = await startTestEmulator();
});
afterAll(async () => {
  await t.stop();
});
beforeEach(async () => {
  await t.admin('POST', '/_emulator/reset');
  await t.admin('POST', '/_emulator/clock', { time_scale: 200 });
  tc = testContext(t);
  // What the orchestrator does first: the registry (the image is in DOCR) and the SSH key.
  await t.dots.v2.registry.post({ name: 'base2-tests', subscriptionTierSlug: 'basic', region: 'nyc3' });
  await t.admin('POST', '/_emulator/registry/images', { repository: 'base2', tag: 'latest' });
  const d = tc.deployment();
  const keys = sshKeyModule.plan(sshKeyModule.desired(d, NO_FACTS), await sshKeyModule.read(tc.ctx, d));
  await sshKeyModule.apply(tc.ctx, d, keys);
  await t.admin('DELETE', '/_emulator/requests');
});
afterEach(async () => {
  await tc.close();
});

const m = dropletsModule;
const desiredOf = (d: Deployment) => m.desired(d, NO_FACTS) as DesiredDroplets;
const staging = (droplets: Partial<NonNullable<Deployment['droplets']>> = {}): Deployment => {
  const d = tc.deployment();
  return { ...d, droplets: { ...d.droplets!, ...droplets } };
};
const planOf = async (d: Deployment): Promise<{ actual: ActualDroplets; steps: PlanStep[] }> => {
  const actual = await m.read(tc.ctx, d);
  return { actual, steps: m.plan(desiredOf(d), actual) };
};
/** Deploy's first phase: apply everything but the deferred steps. */
const applyNow = async (d: Deployment) => {
  const { steps } = await planOf(d);
  return m.apply(
    tc.ctx,
    d,
    steps.filter((s) => s.action !== 'noop' && !s.deferred),
  );
};
const settle = (d: Deployment) => waitFor(tc.ctx, 'droplets', () => m.readiness!(tc.ctx, d, desiredOf(d)));
const listTagged = async () =>
  (await t.dots.v2.droplets.get({ queryParameters: { tagName: SLUG, perPage: 200 } }))?.droplets ?? [];
const mutatingRequests = async () =>
  (await t.requests())
    .filter((r) => r.method !== 'GET')
    // The log keeps the query apart (a field its type leaves out).
    .map((r) => {
      const query = (r as { query?: string }).query;
      return { ...r, path: query ? `${r.path}?${query}` : r.path };
    });
const createDroplet = (body: Record<string, unknown>) =>
  t.dots.v2.droplets.post({ region: 'nyc3', size: 's-1vcpu-1gb', image: 'debian-12-x64', ...body } as never);

describe('droplets against the emulator', () => {
  it('first apply creates count droplets, tagged, active and verified; a second plan is all noop', async () => {
    const d = staging();
    const desired = desiredOf(d);
    const applied = await applyNow(d);
    expect(applied.map((a) => [a.action, a.name, a.outcome])).toEqual(
      desired.names.map((n) => ['create', n, 'ok']),
    );
    expect((await mutatingRequests()).map((r) => `${r.method} ${r.path}`)).toEqual(['POST /v2/droplets']);
    expect(await settle(d)).toEqual({ state: 'ready' });

    const droplets = await listTagged();
    expect(droplets.map((x) => x.name).sort()).toEqual(desired.names);
    for (const x of droplets) {
      expect(x.tags).toEqual([SLUG, OWNER_TAG]);
      expect(x.sizeSlug).toBe('s-1vcpu-1gb');
      expect(x.features).toContain('monitoring');
    }
    const checks = await m.verify(tc.ctx, d, desired);
    expect(checks.map((c) => [c.name, c.ok])).toEqual(desired.names.map((n) => [n, true]));
    expect(checks[0]?.detail).toContain(
      `answered 200; runs generation ${desired.generation}, read from its name`,
    );
    expect(m.facts!(await m.read(tc.ctx, d)).dropletIpv4).toHaveLength(2);

    await t.admin('DELETE', '/_emulator/requests');
    const again = await planOf(d);
    expect(again.steps.map((s) => s.action)).toEqual(['noop', 'noop']);
    expect(await mutatingRequests()).toEqual([]);
    expect((await t.requests()).length).toBe(1);
  });

  it('never lets the registry credential reach a log line or an audit record', async () => {
    const d = staging();
    const before = tc.ctx.log.redactor.size;
    await applyNow(d);
    expect(tc.ctx.log.redactor.size).toBeGreaterThan(before);
    const everything = [...tc.logs, JSON.stringify(tc.ctx.audit.records())].join('\n');
    // The emulator's credentials are `emu_docr_ro_…`; in a Docker config they are base64.
    expect(everything).not.toContain('emu_docr');
    expect(everything).not.toContain(Buffer.from('emu_docr_ro_').toString('base64').slice(0, 12));
  });

  it('scales up by creating the missing indexes and down by deleting those beyond the count', async () => {
    await applyNow(staging());
    const up = staging({ count: 3 });
    const added = await applyNow(up);
    expect(added.map((a) => [a.action, a.name])).toEqual([['create', desiredOf(up).names[2]]]);
    const down = staging({ count: 1 });
    const removed = await applyNow(down);
    expect(removed.map((a) => a.action)).toEqual(['delete', 'delete']);
    expect((await listTagged()).map((x) => x.name)).toEqual([desiredOf(down).names[0]]);
  });

  it('resizes in place: power off, resize without the disk, power on, each action waited for', async () => {
    await applyNow(staging({ count: 1 }));
    await settle(staging({ count: 1 }));
    const bigger = staging({ count: 1, size: 's-2vcpu-2gb' });
    const { steps } = await planOf(bigger);
    expect(steps.map((s) => `${s.action}: ${s.reason}`)).toEqual(['update: size s-1vcpu-1gb → s-2vcpu-2gb']);
    const applied = await m.apply(tc.ctx, bigger, steps);
    expect(applied.map((a) => a.detail)).toEqual(['power off', 'resize to s-2vcpu-2gb', 'power on']);
    const [x] = await listTagged();
    expect(x).toMatchObject({ sizeSlug: 's-2vcpu-2gb', status: 'active', disk: 25 });
    const requests = await t.requests();
    expect(requests.some((r) => r.method === 'GET' && r.path.startsWith('/v2/actions/'))).toBe(true);
    expect((await planOf(bigger)).steps.map((s) => s.action)).toEqual(['noop']);
  });

  it('replaces a changed image with a new generation and retires the old one only once it is active', async () => {
    const first = staging();
    await applyNow(first);
    await settle(first);
    const oldNames = desiredOf(first).names;

    // Slow time down so the new generation is still booting when the retirement is attempted.
    await t.admin('POST', '/_emulator/clock', { time_scale: 1 });
    const changed = staging({ image: 'ubuntu-24-04-x64' });
    const { steps } = await planOf(changed);
    expect(steps.filter((s) => s.deferred).map((s) => s.name)).toEqual(oldNames);
    await m.apply(
      tc.ctx,
      changed,
      steps.filter((s) => !s.deferred),
    );
    const hurried = testContext(t, { timeoutMs: 300 });
    const early = await m.apply(
      hurried.ctx,
      changed,
      steps.filter((s) => s.deferred),
    );
    await hurried.close();
    expect(early.map((a) => a.outcome)).toEqual(['skipped', 'skipped']);
    expect((await listTagged()).map((x) => x.name).sort()).toEqual(
      [...oldNames, ...desiredOf(changed).names].sort(),
    );

    // The boot, then cloud-init installing Docker on Ubuntu and starting the container.
    await t.admin('POST', '/_emulator/clock', { advance_ms: 200_000 });
    expect(await settle(changed)).toEqual({ state: 'ready' });
    const later = await planOf(changed);
    const retired = await m.apply(
      tc.ctx,
      changed,
      later.steps.filter((s) => s.deferred),
    );
    expect(retired.map((a) => [a.name, a.outcome])).toEqual(oldNames.map((n) => [n, 'ok']));
    expect((await listTagged()).map((x) => x.name).sort()).toEqual(desiredOf(changed).names);
  });

  it('"commit then fail" on create leaves exactly one droplet per name', async () => {
    await t.admin('POST', '/_emulator/faults', {
      method: 'POST',
      path: '/v2/droplets',
      mode: 'commit-then-error',
      status: 500,
      count: 1,
    });
    const d = staging({ count: 3 });
    const applied = await applyNow(d);
    expect(applied.map((a) => a.outcome)).toEqual(['ok', 'ok', 'ok']);
    expect((await listTagged()).map((x) => x.name).sort()).toEqual(desiredOf(d).names);
    expect((await mutatingRequests()).filter((r) => r.method === 'POST')).toHaveLength(1);
  });

  it('survives a burst of 5xx answers to its reads', async () => {
    await applyNow(staging());
    await t.admin('POST', '/_emulator/faults', {
      method: 'GET',
      path: '/v2/droplets',
      mode: 'error',
      status: 503,
      count: 2,
    });
    const { steps } = await planOf(staging());
    expect(steps.map((s) => s.action)).toEqual(['noop', 'noop']);
  });

  it('reports look-alikes and never touches them, in plans and in teardown', async () => {
    const d = staging({ count: 1 });
    const ourName = desiredOf(d).names[0]!;
    await createDroplet({ name: `${SLUG}-1`, tags: [SLUG] });
    await createDroplet({ name: ourName });
    await createDroplet({ name: `${SLUG}-eu-abcdef-1`, tags: [`${SLUG}-eu`, OWNER_TAG] });
    await applyNow(d);

    const { actual, steps } = await planOf(d);
    expect(steps.map((s) => s.action)).toEqual(['noop']);
    const warnings = m.warnings(actual, d);
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toContain(`${SLUG}-1`);
    expect(warnings[0]).toContain(`not ${OWNER_TAG}`);
    expect(warnings[1]).toContain('does not carry its tags');

    const teardown = m.destroy(actual);
    expect(teardown.map((s) => [s.action, s.name])).toEqual([['delete', ourName]]);
    await m.apply(tc.ctx, d, teardown);
    const left = ((await t.dots.v2.droplets.get({ queryParameters: { perPage: 200 } }))?.droplets ?? []).map(
      (x) => x.name,
    );
    expect(left.sort()).toEqual([`${SLUG}-1`, `${SLUG}-eu-abcdef-1`, ourName].sort());
    expect((await planOf(d)).actual.owned).toEqual([]);
  });

  it('tears down with one bulk delete by tag when every tagged droplet is owned', async () => {
    const d = staging({ count: 3 });
    await applyNow(d);
    await t.admin('DELETE', '/_emulator/requests');
    const steps = m.destroy(await m.read(tc.ctx, d));
    const applied = await m.apply(tc.ctx, d, steps);
    expect(applied.map((a) => [a.action, a.outcome])).toEqual([['delete', 'ok']]);
    // Marked as being deleted first (one call, after making sure the tag exists), so every later
    // read knows they are going while DigitalOcean still lists them.
    expect((await mutatingRequests()).map((r) => `${r.method} ${decodeURIComponent(r.path)}`)).toEqual([
      'POST /v2/tags',
      'POST /v2/tags/base2-do:deleting/resources',
      'DELETE /v2/droplets?tag_name=base2-staging',
    ]);
    // Apply waited until DigitalOcean no longer lists them.
    expect(await listTagged()).toEqual([]);
    expect(m.destroy(await m.read(tc.ctx, d))).toEqual([]);
  });

  it('waits while cloud-init runs, and fails a droplet whose container never answers once cloud-init should be done', async () => {
    // A droplet of our name whose user_data starts nothing: its health port refuses connections.
    const d = staging({ count: 1, container: { ...staging().droplets!.container, image: 'nginx:1.27' } });
    const [name] = desiredOf(d).names;
    await createDroplet({ name, tags: [SLUG, OWNER_TAG], userData: '#cloud-config\n{}\n' });
    tc.ctx.tuning.serviceStartMs = 1_500;
    const state = await settle(d);
    expect(state).toMatchObject({
      state: 'failed',
      detail: expect.stringMatching(
        /still does not answer \d+ s after the droplet became active .*nothing listens on the port.*cloud-init-output\.log/,
      ),
    });
    expect(
      tc.progress.some((p) =>
        /waiting for .* to answer on \d+\/healthz \(cloud-init installs Docker/.test(p.detail ?? ''),
      ),
    ).toBe(true);

    await m.apply(tc.ctx, d, m.destroy(await m.read(tc.ctx, d)));
    tc.ctx.tuning.serviceStartMs = undefined;
    await applyNow(d);
    expect(await settle(d)).toEqual({ state: 'ready' });
    const [fresh] = await m.verify(tc.ctx, d, desiredOf(d));
    expect(fresh).toMatchObject({
      ok: true,
      detail: expect.stringContaining('answered 200; runs generation'),
    });
  });
});
