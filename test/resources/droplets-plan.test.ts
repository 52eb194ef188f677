import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OWNER_TAG } from '../../lib/config/identity.js';
import { type Deployment, loadManifest, resolveDeployment } from '../../lib/config/manifest.js';
import {
  type ActualDroplets,
  type DesiredDroplets,
  type DropletState,
  desiredDroplets,
  destroyDroplets,
  dropletGeneration,
  isDeploymentDropletName,
  parseDropletName,
  planDroplets,
} from '../../lib/resources/droplets/index.js';
import { ROOT, SAMPLE_ENV } from '../support/op-context.js';

/** The sample deployment.yml resolved for staging, with `droplets` changed as given. */
function sampleDeployment(droplets: Partial<NonNullable<Deployment['droplets']>> = {}): Deployment {
  const deployment = resolveDeployment(loadManifest(join(ROOT, 'deployment.yml'), SAMPLE_ENV), 'staging');
  return { ...deployment, droplets: { ...deployment.droplets!, ...droplets } };
}

let nextId = 1000;

/** An owned, active droplet of `desired`'s generation at `index`, unless told otherwise. */
function droplet(
  desired: DesiredDroplets,
  fields: Partial<DropletState> & { index?: number } = {},
): DropletState {
  const { index = 1, ...rest } = fields;
  const id = nextId++;
  return {
    id,
    name: `${desired.slug}-${desired.generation}-${index}`,
    status: 'active',
    size: desired.size,
    region: desired.region,
    image: desired.image,
    tags: [desired.slug, OWNER_TAG],
    createdAt: 1_700_000_000_000 + id,
    publicIpv4: `10.0.0.${id % 250}`,
    locked: false,
    ...rest,
  };
}

function actualOf(
  desired: DesiredDroplets,
  owned: DropletState[],
  lookalikes: ActualDroplets['lookalikes'] = [],
) {
  return { slug: desired.slug, owned, lookalikes, accountScanned: true } satisfies ActualDroplets;
}

const desired = (changes: Parameters<typeof sampleDeployment>[0] = {}): DesiredDroplets =>
  desiredDroplets(sampleDeployment(changes))!;

const summary = (steps: ReturnType<typeof planDroplets>) =>
  steps.map((s) => `${s.action} ${s.name}: ${s.reason}`);

describe('desired droplets', () => {
  it('names count droplets <slug>-<generation>-<n>, tagged for ownership, with the key by fingerprint', () => {
    const d = desired();
    expect(d.generation).toMatch(/^[0-9a-f]{6}$/);
    expect(d.names).toEqual([`base2-staging-${d.generation}-1`, `base2-staging-${d.generation}-2`]);
    expect(d.tags).toEqual(['base2-staging', OWNER_TAG]);
    expect(d.sshKeyFingerprint).toMatch(/^([0-9a-f]{2}:){15}[0-9a-f]{2}$/);
    expect(d.userData.source).toBe('tool');
  });

  it('keeps the generation for a size or count change and makes a new one for image, region, user_data or key', () => {
    const base = desired().generation;
    expect(desired({ size: 's-2vcpu-2gb', count: 5 }).generation).toBe(base);
    expect(desired({ image: 'ubuntu-24-04-x64' }).generation).not.toBe(base);
    expect(desired({ region: 'fra1' }).generation).not.toBe(base);
    expect(desired({ user_data: '#!/bin/sh\necho hi\n' }).generation).not.toBe(base);
    const container = { ...sampleDeployment().droplets!.container, env: { BASE2_LOG_LEVEL: 'debug' } };
    expect(desired({ container }).generation).not.toBe(base);
    const otherKey = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAa5nK0i0wF8c4p4fYqgq7pM3m1mI0mQeQ9Qm1wVx2dR other';
    expect(desired({ ssh_key: { public_key: otherKey } }).generation).not.toBe(base);
  });

  it('generation digests its fields in order, so equal fields give equal generations', () => {
    const fields = {
      image: 'debian-12-x64',
      region: 'nyc3',
      userDataSha256: 'a'.repeat(64),
      sshKeyFingerprint: 'f',
    };
    expect(dropletGeneration(fields)).toBe(dropletGeneration({ ...fields }));
    expect(dropletGeneration({ ...fields, region: 'nyc1' })).not.toBe(dropletGeneration(fields));
  });

  it('parses its own names and no other deployment’s', () => {
    expect(parseDropletName('base2-staging-0a1b2c-12', 'base2-staging')).toEqual({
      generation: '0a1b2c',
      index: 12,
    });
    expect(parseDropletName('base2-staging-eu-0a1b2c-1', 'base2-staging')).toBeUndefined();
    expect(parseDropletName('base2-staging-0a1b2c-0', 'base2-staging')).toBeUndefined();
    expect(isDeploymentDropletName('base2-staging-3', 'base2-staging')).toBe(true);
    expect(isDeploymentDropletName('base2-staging-eu-3', 'base2-staging')).toBe(false);
  });
});

describe('plan droplets', () => {
  it('creates every missing name on a first deploy', () => {
    const d = desired();
    const steps = planDroplets(d, actualOf(d, []));
    expect(summary(steps)).toEqual(d.names.map((n) => `create ${n}: missing`));
    expect(steps[0]?.payload).toMatchObject({
      type: 'create',
      create: { generation: d.generation, size: 's-1vcpu-1gb' },
    });
  });

  it('is all noop when the droplets match', () => {
    const d = desired();
    const steps = planDroplets(d, actualOf(d, [droplet(d, { index: 1 }), droplet(d, { index: 2 })]));
    expect(steps.map((s) => s.action)).toEqual(['noop', 'noop']);
  });

  it('adds the missing indexes when the count goes up and deletes those beyond it when it goes down', () => {
    const d = desired();
    const up = planDroplets(
      { ...d, count: 3, names: [...d.names, `base2-staging-${d.generation}-3`] },
      actualOf(d, [droplet(d, { index: 1 }), droplet(d, { index: 2 })]),
    );
    expect(summary(up)).toEqual([
      `create base2-staging-${d.generation}-3: missing`,
      expect.stringMatching(/^noop/),
      expect.stringMatching(/^noop/),
    ]);
    const down = planDroplets(
      { ...d, count: 1, names: d.names.slice(0, 1) },
      actualOf(d, [droplet(d, { index: 1 }), droplet(d, { index: 2 })]),
    );
    expect(summary(down)).toEqual([
      expect.stringMatching(/^noop/),
      `delete base2-staging-${d.generation}-2: beyond count 1`,
    ]);
    expect(down[1]?.deferred).toBeUndefined();
  });

  it('resizes when the size differs, and powers on a droplet left off', () => {
    const d = desired({ size: 's-2vcpu-2gb' });
    const steps = planDroplets(
      d,
      actualOf(d, [droplet(d, { index: 1, size: 's-1vcpu-1gb' }), droplet(d, { index: 2, status: 'off' })]),
    );
    expect(summary(steps)).toEqual([
      `update ${d.names[0]}: size s-1vcpu-1gb → s-2vcpu-2gb`,
      `update ${d.names[1]}: powered off → power on`,
    ]);
    expect(steps[0]?.payload).toEqual({ type: 'resize', size: 's-2vcpu-2gb' });
  });

  it('replaces a changed generation: creates the new names, deletes the old ones deferred', () => {
    const old = desired();
    const d = desired({ image: 'ubuntu-24-04-x64' });
    const steps = planDroplets(d, actualOf(d, [droplet(old, { index: 1 }), droplet(old, { index: 2 })]));
    expect(steps.filter((s) => s.action === 'create').map((s) => s.name)).toEqual(d.names);
    const deletes = steps.filter((s) => s.action === 'delete');
    expect(deletes.map((s) => [s.name, s.reason, s.deferred])).toEqual(
      old.names.map((n) => [n, `replaced by generation ${d.generation}`, true]),
    );
    expect(deletes[0]?.payload).toEqual({ type: 'retire', generation: d.generation, successors: d.names });
  });

  it('deletes every owned droplet at once when the count is 0', () => {
    const old = desired();
    const d = desired({ count: 0 });
    const steps = planDroplets(d, actualOf(d, [droplet(old, { index: 1 }), droplet(d, { index: 1 })]));
    expect(steps.map((s) => [s.action, s.deferred])).toEqual([
      ['delete', undefined],
      ['delete', undefined],
    ]);
  });

  it('keeps the older of two owned droplets with one name and deletes the newer', () => {
    const d = desired();
    const first = droplet(d, { index: 1, createdAt: 1 });
    const second = droplet(d, { index: 1, createdAt: 2 });
    const steps = planDroplets(d, actualOf(d, [second, first, droplet(d, { index: 2 })]));
    expect(steps.find((s) => s.action === 'delete')).toMatchObject({
      id: String(second.id),
      name: d.names[0],
    });
    expect(steps.filter((s) => s.action === 'noop').map((s) => s.id)).toContain(String(first.id));
  });

  it('plans nothing without a droplets section', () => {
    const d = desired();
    expect(planDroplets(undefined, actualOf(d, [droplet(d)]))).toEqual([]);
  });
});

describe('destroy droplets', () => {
  it('is one bulk delete by tag when every tagged droplet is owned', () => {
    const d = desired();
    const steps = destroyDroplets(actualOf(d, [droplet(d, { index: 1 }), droplet(d, { index: 2 })]));
    expect(steps).toEqual([
      expect.objectContaining({ action: 'delete', payload: { type: 'delete-by-tag', tag: 'base2-staging' } }),
    ]);
  });

  it('deletes the owned ones by id when a look-alike carries the tag', () => {
    const d = desired();
    const mine = droplet(d, { index: 1 });
    const foreign = droplet(d, { index: 9, tags: ['base2-staging'] });
    const steps = destroyDroplets(actualOf(d, [mine], [{ droplet: foreign, why: 'tag' }]));
    expect(steps.map((s) => [s.action, s.id])).toEqual([['delete', String(mine.id)]]);
  });

  it('is nothing when nothing is owned', () => {
    const d = desired();
    expect(destroyDroplets(actualOf(d, []))).toEqual([]);
  });
});
