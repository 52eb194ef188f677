/**
 * An edit asks DigitalOcean what it would refuse before it changes anything: the new app spec
 * through App Platform's propose endpoint, droplet sizes against the size catalog and the disks the
 * droplets have. A refused edit changes nothing (no droplet powered off, no spec sent), and its dry
 * run names the same refusals.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { OWNER_TAG } from '../../lib/config/identity.js';
import { deployOperation } from '../../lib/ops/deploy/index.js';
import { type EditResult, editOperation } from '../../lib/ops/edit/index.js';
import type { OpReport } from '../../lib/ops/types.js';
import { startTestEmulator, type TestEmulator } from '../support/emulator.js';
import { runOp, seedRegistry } from './support.js';

const MANIFEST = { BASE2_MANIFEST: 'test/ops/fixtures/deployment.yml' };
const SLUG = 'base2-staging';
let t: TestEmulator;

beforeAll(async () => {
  t = await startTestEmulator({ timeScale: 400 });
  await seedRegistry(t);
  const { report } = await runOp(t, deployOperation, { env: 'staging' }, { env: MANIFEST });
  expect(report.status, JSON.stringify(report.result)).toBe('succeeded');
});
afterAll(async () => {
  await t.stop();
});
beforeEach(async () => {
  await t.admin('DELETE', '/_emulator/requests');
});

async function edit(input: Record<string, unknown>): Promise<OpReport<EditResult>> {
  const { report } = await runOp<EditResult>(
    t,
    editOperation,
    { env: 'staging', ...input },
    { env: MANIFEST },
  );
  return report;
}

/** The owned droplets as the API lists them: `size status`, by name. */
async function droplets(): Promise<string[]> {
  const r = await t.dots.v2.droplets.get({ queryParameters: { tagName: SLUG, perPage: 200 } });
  return (r?.droplets ?? [])
    .filter((d) => d.tags?.includes(OWNER_TAG))
    .map((d) => `${d.name} ${d.sizeSlug} ${d.status}`)
    .sort();
}

/** The mutating requests the emulator received since the test began (propose only validates). */
async function changes(): Promise<string[]> {
  const log = (await t.requests()) as { method: string; path: string }[];
  return log
    .filter((r) => r.method !== 'GET' && r.method !== 'HEAD' && r.path !== '/v2/apps/propose')
    .map((r) => `${r.method} ${r.path}`);
}

async function appInstances(): Promise<number | undefined> {
  const apps = (await t.dots.v2.apps.get({ queryParameters: { perPage: 200 } }))?.apps ?? [];
  return apps.find((a) => a.spec?.name === SLUG)?.spec?.services?.[0]?.instanceCount ?? undefined;
}

// The README's own example: the app's size (apps-s-1vcpu-0.5gb) runs one instance only.
const README_EXAMPLE = { app_instances: 'web=2', droplet_count: 3, droplet_size: 's-2vcpu-2gb' };

describe('edit checks with DigitalOcean before it changes anything', () => {
  it('refuses the README example whose app change DigitalOcean refuses, before any droplet is touched', async () => {
    const before = await droplets();
    const report = await edit(README_EXAMPLE);
    expect(report.status).toBe('failed');
    expect(report.result.failure?.kind).toBe('refused');
    expect(report.result.failure?.detail).toMatch(/nothing was changed/i);
    expect(report.result.failure?.detail).toContain('services.instance_count');
    expect(report.result.applied).toEqual([]);
    expect(report.result.restore).toBeUndefined();
    expect(report.api_calls.mutating, 'validation is not a change').toBe(0);
    expect(await changes()).toEqual([]);
    expect(await droplets()).toEqual(before);
    expect(await appInstances()).toBe(1);
  });

  it('names the same refusals in a dry run, with the plan', async () => {
    const report = await edit({ ...README_EXAMPLE, dry_run: true });
    expect(report.status).toBe('failed');
    expect(report.result.dry_run).toBe(true);
    expect(report.result.failure?.kind).toBe('refused');
    expect(report.result.failure?.detail).toContain('services.instance_count');
    expect(report.result.plan.length).toBeGreaterThan(0);
    expect(editOperation.render!(report)).toMatch(
      /Refused by DigitalOcean[^\n]*\n[^\n]*services\.instance_count/,
    );
    expect(await changes()).toEqual([]);
  });

  it('refuses a droplet size DigitalOcean does not offer before powering any droplet off', async () => {
    const before = await droplets();
    const report = await edit({ droplet_size: 's-3vcpu-9gb' });
    expect(report.status).toBe('failed');
    expect(report.result.failure?.kind).toBe('refused');
    expect(report.result.failure?.detail).toContain('s-3vcpu-9gb');
    expect(await changes()).toEqual([]);
    expect(await droplets()).toEqual(before);
  });

  it('refuses a resize to a smaller disk than the droplets have, which DigitalOcean cannot do', async () => {
    const before = await droplets();
    const report = await edit({ droplet_size: 's-1vcpu-512mb-10gb', dry_run: true });
    expect(report.status).toBe('failed');
    expect(report.result.failure?.detail).toMatch(/25 GB.*10 GB|disk/);
    const real = await edit({ droplet_size: 's-1vcpu-512mb-10gb' });
    expect(real.result.failure?.kind).toBe('refused');
    expect(await changes()).toEqual([]);
    expect(await droplets()).toEqual(before);
  });

  it('refuses a record DigitalOcean’s CNAME rule refuses, before the droplets are resized', async () => {
    const before = await droplets();
    const report = await edit({
      droplet_size: 's-2vcpu-2gb',
      records: { add: [{ type: 'A', name: 'app', data: '203.0.113.9' }] },
    });
    expect(report.result.failure?.kind).toBe('refused');
    expect(report.result.refusals?.join('\n')).toMatch(/record app of staging\.base2\.example\.com: a CNAME/);
    expect(await changes()).toEqual([]);
    expect(await droplets()).toEqual(before);
  });

  it('says in a dry run that DigitalOcean accepts a valid change, with the app’s monthly cost', async () => {
    const report = await edit({
      scale: { app: { web: { instance_count: 2, instance_size_slug: 'apps-s-1vcpu-1gb' } } },
      dry_run: true,
    });
    expect(report.status, JSON.stringify(report.result.failure)).toBe('succeeded');
    expect(report.result.validated?.join('\n')).toMatch(
      /app base2-staging: DigitalOcean accepts the new spec.*24/,
    );
    expect(await changes()).toEqual([]);
  });
});
