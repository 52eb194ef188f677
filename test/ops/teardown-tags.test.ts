import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OWNER_TAG } from '../../lib/config/identity.js';
import { holderName, lockPublicKey } from '../../lib/lock/index.js';
import { type DeployResult, deployOperation } from '../../lib/ops/deploy/index.js';
import { type TeardownResult, teardownOperation } from '../../lib/ops/teardown/index.js';
import { tagKept } from '../../lib/ops/teardown/tags.js';
import { DELETING_TAG } from '../../lib/resources/droplets/deleted.js';
import { startTestEmulator, type TestEmulator } from '../support/emulator.js';
import { runOp, seedRegistry } from './support.js';

const MANIFEST = { BASE2_MANIFEST: 'test/ops/fixtures/deployment.yml' };
const SLUG = 'base2-droponly';
let t: TestEmulator;

beforeEach(async () => {
  t = await startTestEmulator({ timeScale: 400 });
  await seedRegistry(t);
  const { report } = await runOp<DeployResult>(t, deployOperation, { env: 'droponly' }, { env: MANIFEST });
  expect(report.status, JSON.stringify(report.result.failure)).toBe('succeeded');
});
afterEach(async () => {
  await t.stop();
});

const teardown = async () => {
  const { report } = await runOp<TeardownResult>(
    t,
    teardownOperation,
    { env: 'droponly' },
    { env: MANIFEST },
  );
  expect(report.status, report.result.failure).toBe('succeeded');
  return report;
};
const tagNames = async () => ((await t.dots.v2.tags.get())?.tags ?? []).map((tag) => tag.name).sort();
const tagSteps = (report: { result: TeardownResult }) =>
  report.result.applied.filter((a) => a.kind === 'tag').map((a) => `${a.name} ${a.outcome}`);

/** A droplet the tool did not make for this deployment, carrying `tags`. */
const droplet = (name: string, tags: string[]) =>
  t.dots.v2.droplets.post({
    name,
    region: 'nyc3',
    size: 's-1vcpu-1gb',
    image: 'debian-12-x64',
    tags,
  } as never);

describe('teardown and tags', () => {
  it('deletes the deployment’s tag and the owner marker once nothing carries them, and says so in its plan', async () => {
    expect(await tagNames()).toEqual(expect.arrayContaining([SLUG, OWNER_TAG]));
    const report = await teardown();
    const tags = [SLUG, OWNER_TAG, DELETING_TAG];
    expect(report.result.plan.filter((s) => s.kind === 'tag').map((s) => s.name)).toEqual(tags);
    expect(tagSteps(report)).toEqual(tags.map((tag) => `${tag} ok`));
    expect(await tagNames()).toEqual([]);
    // Audited like every change.
    expect(
      report.audit.filter((r) => r.resource.startsWith('tag ')).map((r) => `${r.resource} ${r.action}`),
    ).toEqual(tags.map((tag) => `tag ${tag} delete`));
    // A second teardown has nothing left to do.
    const again = await runOp<TeardownResult>(t, teardownOperation, { env: 'droponly' }, { env: MANIFEST });
    expect(again.report.status).toBe('noop');
  });

  it('keeps the owner marker while another deployment’s droplet carries it, and that droplet keeps it', async () => {
    await droplet('base2-other-1', ['base2-other', OWNER_TAG]);
    const report = await teardown();
    expect(tagSteps(report)).toEqual([`${SLUG} ok`, `${DELETING_TAG} ok`]);
    expect(await tagNames()).toEqual(expect.arrayContaining([OWNER_TAG, 'base2-other']));
    const other = await t.dots.v2.droplets.get({ queryParameters: { tagName: OWNER_TAG } });
    expect((other?.droplets ?? []).map((d) => d.name)).toEqual(['base2-other-1']);
  });

  it('keeps the deployment’s tag on a look-alike it does not own', async () => {
    await droplet(`${SLUG}-handmade`, [SLUG]);
    const report = await teardown();
    expect(tagSteps(report)).toEqual([`${OWNER_TAG} ok`, `${DELETING_TAG} ok`]);
    const left = await t.dots.v2.droplets.get({ queryParameters: { tagName: SLUG } });
    expect((left?.droplets ?? []).map((d) => d.name)).toEqual([`${SLUG}-handmade`]);
  });

  it('leaves the shared markers while another deployment’s operation holds its lock', async () => {
    const holder = { op: 'deploy', holder: 'abcdef01', since: Date.now(), until: Date.now() + 60_000 };
    await t.dots.v2.account.keys.post({
      name: holderName('base2-other', holder),
      publicKey: lockPublicKey('base2-other'),
    });
    const report = await teardown();
    expect(tagSteps(report)).toEqual([`${SLUG} ok`, `${OWNER_TAG} skipped`, `${DELETING_TAG} skipped`]);
    expect(report.result.applied.find((a) => a.name === OWNER_TAG)?.detail).toContain('base2-other');
    expect(await tagNames()).toContain(OWNER_TAG);
  });
});

describe('whether a tag may go', () => {
  const none = { resources: 0, firewalls: [], otherLocks: [] };
  it('only when no resource carries it, no firewall names it, and (shared) no other operation runs', () => {
    expect(tagKept(SLUG, none)).toBeUndefined();
    expect(tagKept(SLUG, { ...none, resources: 1 })).toMatch(/still on 1 resource/);
    expect(tagKept(SLUG, { ...none, firewalls: ['mine'] })).toMatch(/named by firewall mine/);
    expect(tagKept(SLUG, { ...none, otherLocks: ['base2-other'] })).toBeUndefined();
    expect(tagKept(OWNER_TAG, { ...none, otherLocks: ['base2-other'] })).toMatch(/base2-other/);
    expect(tagKept(DELETING_TAG, { ...none, otherLocks: ['base2-other'] })).toMatch(/base2-other/);
  });
});
