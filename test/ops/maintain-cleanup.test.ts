import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type DeployResult, deployOperation } from '../../lib/ops/deploy/index.js';
import { type MaintainResult, maintainOperation } from '../../lib/ops/maintain/index.js';
import { startTestEmulator, type TestEmulator } from '../support/emulator.js';
import { TEST_REGISTRY } from '../support/op-context.js';
import { runOp, seedRegistry } from './support.js';

const MANIFEST = { BASE2_MANIFEST: 'test/ops/fixtures/deployment.yml' };
let t: TestEmulator;

beforeEach(async () => {
  t = await startTestEmulator({ timeScale: 400 });
  await seedRegistry(t);
});
afterEach(async () => {
  await t.stop();
});

const deploy = async (input: Record<string, unknown>) =>
  (await runOp<DeployResult>(t, deployOperation, input, { env: MANIFEST })).report;
const maintain = async (input: Record<string, unknown>) =>
  (await runOp<MaintainResult>(t, maintainOperation, input, { env: MANIFEST })).report;

const dropletNames = async (slug: string) =>
  ((await t.dots.v2.droplets.get({ queryParameters: { tagName: slug, perPage: 200 } }))?.droplets ?? [])
    .map((d) => d.name ?? '')
    .sort();

const generationOf = (name: string) => name.split('-').at(-2);

/**
 * An image change whose last step (deleting the replaced generation) fails: the new generation
 * serves, the old one is left behind, as a deploy cut short there would leave it.
 */
async function interruptedImageChange(env: string) {
  const first = await deploy({ env });
  expect(first.status, JSON.stringify(first.result.failure)).toBe('succeeded');
  const slug = `base2-${env}`;
  const old = await dropletNames(slug);
  await t.admin('POST', '/_emulator/faults', {
    method: 'DELETE',
    path: '/v2/droplets/*',
    mode: 'error',
    status: 403,
  });
  const cut = await deploy({ env, image_tag: '1.4.2', keep_failed: true });
  expect(cut.status).toBe('failed');
  await t.admin('DELETE', '/_emulator/faults');
  const both = await dropletNames(slug);
  expect(both).toHaveLength(old.length * 2);
  return { old, current: both.filter((n) => !old.includes(n)) };
}

describe('maintain clean-up', () => {
  it('removes the old generation an interrupted image change left, keeping the deployed image', async () => {
    const { old, current } = await interruptedImageChange('staging');
    const report = await maintain({ env: 'staging' });
    expect(report.status, JSON.stringify(report.result, null, 1)).toBe('succeeded');
    expect(
      report.result.drift
        .filter((d) => d.treatment === 'cleanup')
        .map((d) => d.name)
        .sort(),
    ).toEqual(old);
    expect(report.result.cleaned.map((s) => `${s.action} ${s.name} ${s.outcome}`).sort()).toEqual(
      old.map((n) => `delete ${n} ok`),
    );
    expect(await dropletNames('base2-staging')).toEqual(current);
    // deploy's image_tag is not in deployment.yml: reported, and kept.
    const image = report.result.drift.filter((d) => d.what.includes('1.4.2'));
    expect(image.map((d) => `${d.kind} ${d.treatment}`).sort()).toEqual(['app report', 'droplet report']);
    expect(report.result.repaired).toEqual([]);
    expect(report.result.health.every((c) => c.ok)).toBe(true);
  });

  it('finds the image of a droplets-only deployment in the registry and keeps the newer generation', async () => {
    const { old, current } = await interruptedImageChange('droponly');
    const report = await maintain({ env: 'droponly', report_only: true });
    expect(report.api_calls.mutating).toBe(0);
    const cleanup = report.result.drift.filter((d) => d.treatment === 'cleanup');
    expect(cleanup.map((d) => d.name).sort()).toEqual(old);
    expect(new Set(current.map(generationOf)).size).toBe(1);
    expect(report.result.drift.some((d) => current.includes(d.name))).toBe(false);
    const done = await maintain({ env: 'droponly' });
    expect(done.status, JSON.stringify(done.result, null, 1)).toBe('succeeded');
    expect(await dropletNames('base2-droponly')).toEqual(current);
  });

  it('keeps the old generation with cleanup off', async () => {
    const { old, current } = await interruptedImageChange('droponly');
    const report = await maintain({ env: 'droponly', cleanup: false });
    expect(report.api_calls.mutating).toBe(0);
    expect(report.result.advice.join(' ')).toContain('cleanup is off');
    expect(await dropletNames('base2-droponly')).toEqual([...old, ...current].sort());
  });

  it('starts registry garbage collection when a push left an untagged manifest, once', async () => {
    expect((await deploy({ env: 'apponly' })).status).toBe('succeeded');
    await t.admin('POST', '/_emulator/registry/images', { repository: 'base2', tag: 'latest' });
    const report = await maintain({ env: 'apponly' });
    expect(report.status, JSON.stringify(report.result, null, 1)).toBe('succeeded');
    expect(report.result.registry_gc).toMatchObject({
      registry: TEST_REGISTRY,
      untagged_manifests: 1,
      state: 'started',
    });
    const records = report.audit.filter((a) => !a.resource.startsWith('lock'));
    expect(records).toEqual([expect.objectContaining({ action: 'garbage collection', outcome: 'ok' })]);
    const posts = (await t.requests()).filter((r) => r.method === 'POST');
    expect(posts.map((r) => r.path)).toContain(`/v2/registry/${TEST_REGISTRY}/garbage-collection`);
    // Collection takes 20 s of DigitalOcean's time; once it is done there is nothing left to collect.
    await t.admin('POST', '/_emulator/clock', { advance_ms: 60_000 });
    const after = await maintain({ env: 'apponly' });
    expect(after.status).toBe('noop');
    expect(after.api_calls.mutating).toBe(0);
  });

  it('does not collect an untagged manifest a deployment runs by digest', async () => {
    const tags = await t.dots.v2.registry
      .byRegistry_name(TEST_REGISTRY)
      .repositories.byRepository_name('base2')
      .tags.get();
    const digest = tags?.tags?.find((tag) => tag.tag === 'latest')?.manifestDigest ?? '';
    expect((await deploy({ env: 'apponly', image_digest: digest })).status).toBe('succeeded');
    await t.admin('POST', '/_emulator/registry/images', { repository: 'base2', tag: 'latest' });
    const report = await maintain({ env: 'apponly' });
    expect(report.api_calls.mutating).toBe(0);
    expect(report.result.registry_gc?.state).toBe('skipped');
    expect(report.result.registry_gc?.detail).toContain(digest);
  });
});
