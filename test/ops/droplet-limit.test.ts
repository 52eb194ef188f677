/**
 * The account's droplet limit (a new account's, the emulator's default): a deploy or edit that
 * would take the account past it is refused before anything changes, saying what fits; one that
 * creates nothing never reads the account.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_DROPLET_LIMIT } from '../../emulator/resources/account.js';
import { type DeployResult, deployOperation } from '../../lib/ops/deploy/index.js';
import { type EditResult, editOperation } from '../../lib/ops/edit/index.js';
import { LIMIT_INCREASE_URL } from '../../lib/resources/droplets/limit.js';
import { tempProject } from '../config/temp-project.js';
import { startTestEmulator, type TestEmulator } from '../support/emulator.js';
import { dropletsManifest, runOp, seedRegistry } from './support.js';

const SLUG = 'base2-limit';

const manifest = (count: number) => dropletsManifest('limit', count);

let t: TestEmulator;
let file: string;
beforeAll(async () => {
  // The default limit: a new account's.
  t = await startTestEmulator({ timeScale: 400 });
  await seedRegistry(t);
  file = join(tempProject({}), 'deployment.yml');
});
afterAll(async () => {
  await t.stop();
});
beforeEach(async () => {
  await t.dots.v2.droplets.delete({ queryParameters: { tagName: SLUG } }).catch(() => undefined);
  await t.untilDropletsGone({ tag: SLUG });
});

async function deploy(count: number, input: Record<string, unknown> = {}) {
  writeFileSync(file, manifest(count));
  const options = { env: { BASE2_MANIFEST: file } };
  return (await runOp<DeployResult>(t, deployOperation, { env: 'limit', ...input }, options)).report;
}
async function edit(input: Record<string, unknown>) {
  const options = { env: { BASE2_MANIFEST: file } };
  return (await runOp<EditResult>(t, editOperation, { env: 'limit', ...input }, options)).report;
}
const ids = async () =>
  ((await t.dots.v2.droplets.get({ queryParameters: { tagName: SLUG, perPage: 200 } }))?.droplets ?? [])
    .map((d) => d.id)
    .sort();

describe('the droplet limit', () => {
  it('refuses a deploy beyond it before any create, naming the limit, the account’s droplets and what fits', async () => {
    expect(DEFAULT_DROPLET_LIMIT).toBe(5);
    const other = (await t.dots.v2.droplets.post({
      name: 'someone-elses',
      region: 'nyc3',
      size: 's-1vcpu-1gb',
      image: 'debian-12-x64',
    })) as { droplet: { id: number } };
    try {
      for (const dryRun of [true, false]) {
        await t.admin('DELETE', '/_emulator/requests');
        const report = await deploy(5, { dry_run: dryRun });
        expect(report.status).toBe('failed');
        expect(report.result.failure?.kind).toBe('droplet_limit');
        const detail = report.result.failure?.detail ?? '';
        expect(detail).toContain("droplet limit is 5 and it has 1 droplet(s) (0 of them base2-limit's)");
        expect(detail).toContain('this would create 5 more, 6 at the peak');
        expect(detail).toContain('At most 4 new droplet(s) fit now');
        expect(detail).toContain('lower droplets.count to 4');
        expect(detail).toContain(LIMIT_INCREASE_URL);
        expect(report.api_calls.mutating).toBe(0);
        expect((await t.requests()).filter((r) => r.method !== 'GET')).toEqual([]);
        expect(await ids()).toEqual([]);
      }
    } finally {
      await t.dots.v2.droplets.byDroplet_id(other.droplet.id).delete();
      await t.untilDropletsGone({ ids: [other.droplet.id] });
    }
  });

  it('refuses a replacement that needs room for the old and the new generation at once, changing nothing', async () => {
    const first = await deploy(3);
    expect(first.status, JSON.stringify(first.result.failure)).toBe('succeeded');
    const before = await ids();

    await t.admin('DELETE', '/_emulator/requests');
    const report = await deploy(3, { image_tag: '1.4.2' });
    expect(report.status).toBe('failed');
    const detail = report.result.failure?.detail ?? '';
    expect(detail).toMatch(/^base2-limit was not deployed, nothing was changed: /);
    expect(detail).toContain("it has 3 droplet(s) (3 of them base2-limit's)");
    expect(detail).toContain(
      'this would create 3 more, while the 3 droplet(s) of the generation they replace keep serving until the new ones are verified, 6 at the peak',
    );
    expect(detail).toContain('At most 2 new droplet(s) fit now');
    expect(detail).toContain('lower droplets.count to 2');
    expect((await t.requests()).filter((r) => r.method !== 'GET')).toEqual([]);
    expect(await ids()).toEqual(before);
    expect(deployOperation.render!(report)).toContain('Failed (droplet_limit)');
  });

  it('refuses an edit that adds droplets beyond it, and a dry run says so too', async () => {
    expect((await deploy(3)).status).toBe('succeeded');
    const before = await ids();
    for (const dryRun of [true, false]) {
      await t.admin('DELETE', '/_emulator/requests');
      const report = await edit({ droplet_count: 7, dry_run: dryRun });
      expect(report.status).toBe('failed');
      expect(report.result.failure?.kind).toBe('droplet_limit');
      expect(report.result.failure?.detail).toContain('this would create 4 more, 7 at the peak');
      expect(report.result.failure?.detail).toContain('lower droplets.count to 5');
      expect(report.result.restore).toBeUndefined();
      expect((await t.requests()).filter((r) => r.method !== 'GET')).toEqual([]);
    }
    expect(await ids()).toEqual(before);
    // What fits goes through.
    const fits = await edit({ droplet_count: 5 });
    expect(fits.status, JSON.stringify(fits.result.failure)).toBe('succeeded');
  });

  it('a deploy that creates nothing does not read the account', async () => {
    expect((await deploy(2)).status).toBe('succeeded');
    await t.admin('DELETE', '/_emulator/requests');
    const again = await deploy(2);
    expect(again.status).toBe('noop');
    expect((await t.requests()).map((r) => r.path)).not.toContain('/v2/account');
    // A replacement that fits reads it once, and goes through.
    await t.admin('DELETE', '/_emulator/requests');
    const replaced = await deploy(2, { image_tag: '1.4.2' });
    expect(replaced.status, JSON.stringify(replaced.result.failure)).toBe('succeeded');
    expect((await t.requests()).filter((r) => r.path === '/v2/account')).toHaveLength(1);
  });
});
