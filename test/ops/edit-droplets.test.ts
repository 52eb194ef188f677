import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { REALISTIC_TIMING } from '../../emulator/timing.js';
import { OWNER_TAG } from '../../lib/config/identity.js';
import { deployOperation } from '../../lib/ops/deploy/index.js';
import { type EditResult, editOperation } from '../../lib/ops/edit/index.js';
import type { OpReport } from '../../lib/ops/types.js';
import { startTestEmulator, type TestEmulator } from '../support/emulator.js';
import { runOp, seedRegistry } from './support.js';

const MANIFEST = { BASE2_MANIFEST: 'test/ops/fixtures/deployment.yml' };
const SLUG = 'base2-droponly';
const DOMAIN = 'droponly.base2.example.com';
let t: TestEmulator;

beforeAll(async () => {
  // Scale-ups to 13 and 20 droplets: an account whose limit was raised.
  t = await startTestEmulator({ timeScale: 400, dropletLimit: 50 });
  await seedRegistry(t);
});
afterAll(async () => {
  await t.stop();
});
// Every test starts from a fresh deploy of the droplet target (two droplets, DNS, firewall).
beforeEach(async () => {
  await t.admin('DELETE', '/_emulator/faults');
  await t.dots.v2.droplets.delete({ queryParameters: { tagName: SLUG } }).catch(() => undefined);
  await t.untilDropletsGone({ tag: SLUG });
  await t.dots.v2.domains
    .byDomain_name(DOMAIN)
    .delete()
    .catch(() => undefined);
  const { report } = await runOp(t, deployOperation, { env: 'droponly' }, { env: MANIFEST });
  expect(report.status, JSON.stringify(report.result)).toBe('succeeded');
});

async function edit(input: Record<string, unknown>): Promise<OpReport<EditResult>> {
  const { report } = await runOp<EditResult>(
    t,
    editOperation,
    { env: 'droponly', ...input },
    { env: MANIFEST },
  );
  return report;
}

/** The owned droplets as the API lists them: `name size status`, by name. */
async function droplets(): Promise<string[]> {
  const r = await t.dots.v2.droplets.get({ queryParameters: { tagName: SLUG, perPage: 200 } });
  return (r?.droplets ?? [])
    .filter((d) => d.tags?.includes(OWNER_TAG))
    .map((d) => `${d.name!.replace(/-[0-9a-f]{6}-/, '-<gen>-')} ${d.sizeSlug} ${d.status}`)
    .sort();
}
const ids = async () =>
  ((await t.dots.v2.droplets.get({ queryParameters: { tagName: SLUG, perPage: 200 } }))?.droplets ?? [])
    .map((d) => d.id)
    .sort();
async function records(): Promise<string[]> {
  const r = await t.dots.v2.domains.byDomain_name(DOMAIN).records.get({ queryParameters: { perPage: 200 } });
  return (r?.domainRecords ?? [])
    .filter((x) => x.type !== 'NS' && x.type !== 'SOA')
    .map((x) => `${x.type} ${x.name} ${x.data}`)
    .sort();
}

const ok = (report: OpReport<EditResult>) => {
  expect(
    report.status,
    JSON.stringify([report.result.failure, report.result.checks.filter((c) => !c.ok)]),
  ).toBe('succeeded');
  expect(report.result.checks.every((c) => c.ok)).toBe(true);
};

describe('edit the droplets', () => {
  it('scales the count up, then down, each verified through the API and the droplets’ health URLs', async () => {
    ok(await edit({ droplet_count: 4 }));
    expect(await droplets()).toEqual([1, 2, 3, 4].map((i) => `${SLUG}-<gen>-${i} s-1vcpu-1gb active`));
    const down = await edit({ scale: { droplets: { count: 1 } } });
    ok(down);
    expect(await droplets()).toEqual([`${SLUG}-<gen>-1 s-1vcpu-1gb active`]);
    expect(down.result.checks.map((c) => c.name)).toContain(`droplets of ${SLUG}`);
  });

  it('DNS follows the droplets: an image change, a scale-down and a scale-up never leave a record on a deleted droplet', async () => {
    const aRecords = async () =>
      (await records())
        .filter((r) => r.startsWith('A @ '))
        .map((r) => r.slice(4))
        .sort();
    const addresses = async () =>
      ((await t.dots.v2.droplets.get({ queryParameters: { tagName: SLUG, perPage: 200 } }))?.droplets ?? [])
        .map((d) => d.networks?.v4?.find((n) => n.type === 'public')?.ipAddress ?? '')
        .sort();
    expect(await aRecords()).toEqual(await addresses());

    ok(await edit({ image_tag: '1.4.2' }));
    expect(await aRecords()).toEqual(await addresses());

    await t.admin('DELETE', '/_emulator/requests');
    ok(await edit({ droplet_count: 1 }));
    expect(await aRecords()).toEqual(await addresses());
    // The record went before the droplet it pointed at.
    const writes = (await t.requests()).filter((r) => r.method !== 'GET').map((r) => `${r.method} ${r.path}`);
    const dnsAt = writes.findIndex((w) => w.includes('/records'));
    const deleteAt = writes.findIndex((w) => /^DELETE \/v2\/droplets\/\d+$/.test(w));
    expect(dnsAt, writes.join('\n')).toBeGreaterThanOrEqual(0);
    expect(dnsAt).toBeLessThan(deleteAt);

    ok(await edit({ droplet_count: 3 }));
    expect(await aRecords()).toEqual(await addresses());
    expect(await aRecords()).toHaveLength(3);
  });

  it('a scale-down whose delete fails puts DNS back on every droplet that still serves', async () => {
    const apex = async () => (await records()).filter((r) => r.startsWith('A @ ')).sort();
    const before = await apex();
    expect(before).toHaveLength(2);
    await t.admin('POST', '/_emulator/faults', {
      method: 'DELETE',
      path: '/v2/droplets/*',
      mode: 'error',
      status: 500,
      count: 20,
    });
    const report = await edit({ droplet_count: 1 });
    expect(report.status).toBe('failed');
    expect(report.result.restore?.ok, JSON.stringify(report.result.restore)).toBe(true);
    expect(await droplets()).toHaveLength(2);
    expect(await apex()).toEqual(before);
  });

  it('resizes every droplet and keeps them (same ids)', async () => {
    const before = await ids();
    const report = await edit({ droplet_size: 's-2vcpu-2gb' });
    ok(report);
    expect(await droplets()).toEqual([1, 2].map((i) => `${SLUG}-<gen>-${i} s-2vcpu-2gb active`));
    expect(await ids()).toEqual(before);
  });

  it('counts the waits on a rolling resize’s droplet actions as waiting on DigitalOcean, not tool time', async () => {
    const report = await edit({ droplet_size: 's-2vcpu-2gb' });
    ok(report);
    // Two droplets, one after the other: power off, resize, power on, each at least its
    // emulated duration (400 times faster than DigitalOcean's).
    const actionsMs = (2 * (REALISTIC_TIMING.actionMs * 2 + REALISTIC_TIMING.resizeMs)) / 400;
    expect(report.platform_wait_ms).toBeGreaterThanOrEqual(actionsMs);
    expect(report.tool_time_ms).toBeLessThanOrEqual(report.wall_time_ms - report.platform_wait_ms);
  });

  it('an image change replaces the droplets with a new generation running it, the old ones retired after', async () => {
    const before = await ids();
    const report = await edit({ image_tag: '1.4.2' });
    ok(report);
    // Verified by what the tool reads itself: the new generation in the droplets' names.
    const verified = report.result.checks.filter((c) =>
      /answered 200; runs generation [0-9a-f]{6}, read from its name/.test(c.detail),
    );
    expect(verified).toHaveLength(2);
    expect((await ids()).some((id) => before.includes(id))).toBe(false);
    expect(await droplets()).toHaveLength(2);
    const kept = await edit({ droplet_count: 3 });
    ok(kept);
    expect(kept.result.plan.map((s) => s.action)).toEqual(['create']);
  });

  it('a scale-up that fails half-way is undone: the old droplets, and only them, with the edit’s record removed', async () => {
    const before = await ids();
    const recordsBefore = await records();
    // Eleven more: two create requests (ten names at most each). DigitalOcean takes the first and
    // refuses the second: the account's droplet limit, reached meanwhile by someone else's droplets.
    await t.admin('POST', '/_emulator/faults', {
      method: 'POST',
      path: '/v2/droplets',
      mode: 'error',
      status: 422,
      skip: 1,
      count: 1,
      body: {
        id: 'unprocessable_entity',
        message: 'creating this/these droplet(s) will exceed your droplet limit',
      },
    });
    const report = await edit({
      droplet_count: 13,
      records: { add: [{ type: 'TXT', name: 'note', data: 'scaled' }] },
    });
    expect(report.status).toBe('failed');
    expect(report.result.failure?.detail).toMatch(/droplet limit/);
    expect(report.result.restore?.ok, JSON.stringify(report.result.restore)).toBe(true);
    expect(await ids()).toEqual(before);
    expect(await records()).toEqual(recordsBefore);
    const deletes = report.audit.filter((a) => a.resource.startsWith('droplet') && a.action === 'delete');
    expect(deletes.length).toBeGreaterThan(0);
  });

  it('adds and removes DNS records in the deployment’s domain', async () => {
    const report = await edit({
      records: {
        add: [
          { type: 'TXT', name: 'verify', data: 'token-1' },
          { type: 'CNAME', name: 'docs', data: 'example.org' },
        ],
      },
    });
    ok(report);
    expect(await records()).toEqual(expect.arrayContaining(['TXT verify token-1', 'CNAME docs example.org']));
    ok(await edit({ records: '{"remove":[{"type":"TXT","name":"verify"}]}' }));
    expect((await records()).some((r) => r.startsWith('TXT verify'))).toBe(false);
  });
});
