import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OWNER_TAG } from '../../lib/config/identity.js';
import { type Deployment, loadManifest, resolveDeployment } from '../../lib/config/manifest.js';
import {
  type ActualDroplets,
  type DesiredDroplets,
  type DropletState,
  desiredDroplets,
  dropletFacts,
  planDroplets,
} from '../../lib/resources/droplets/index.js';
import { expandCreateRequest, flattenDroplet } from '../../lib/resources/droplets/model.js';
import { splitDroplets } from '../../lib/resources/droplets/read.js';
import { bootReadiness } from '../../lib/resources/droplets/readiness.js';
import { nextResizeAction } from '../../lib/resources/droplets/resize.js';
import { outcomeOf, reconcile } from '../../lib/resources/droplets/resize-steps.js';
import { generationDetail } from '../../lib/resources/droplets/verify.js';
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

describe('read, facts, readiness, verify (pure parts)', () => {
  it('splits owned droplets from look-alikes by tag and by name', () => {
    const d = desired();
    const mine = droplet(d, { index: 1 });
    const tagOnly = droplet(d, { index: 2, tags: ['base2-staging'] });
    const nameOnly = droplet(d, { index: 3, tags: [] });
    const other = droplet(d, { name: 'base2-staging-eu-abcdef-1', tags: [] });
    const actual = splitDroplets('base2-staging', [mine, tagOnly], [mine, tagOnly, nameOnly, other]);
    expect(actual.owned).toEqual([mine]);
    expect(actual.lookalikes.map((l) => [l.droplet.id, l.why])).toEqual([
      [tagOnly.id, 'tag'],
      [nameOnly.id, 'name'],
    ]);
  });

  it('gives DNS the newest generation with an active droplet', () => {
    const old = desired();
    const d = desired({ image: 'ubuntu-24-04-x64' });
    const olds = [droplet(old, { index: 1, publicIpv4: '10.0.0.1', createdAt: 1 })];
    const booting = droplet(d, { index: 1, status: 'new', publicIpv4: undefined, createdAt: 5 });
    expect(dropletFacts(actualOf(d, [...olds, booting])).dropletIpv4).toEqual(['10.0.0.1']);
    const up = droplet(d, { index: 1, publicIpv4: '10.0.0.9', createdAt: 5 });
    expect(dropletFacts(actualOf(d, [...olds, up])).dropletIpv4).toEqual(['10.0.0.9']);
  });

  it('is pending while booting (with an eta), failed when missing or off, ready when all active', () => {
    const d = desired();
    const now = 1_000_000;
    const booting = droplet(d, { index: 1, status: 'new', publicIpv4: undefined, createdAt: now - 5_000 });
    const up = droplet(d, { index: 2 });
    expect(bootReadiness([booting, up], d.names, now)).toEqual({
      state: 'pending',
      detail: '1 of 2 droplets active',
      fraction: 0.5,
      etaMs: 30_000,
    });
    expect(bootReadiness([up], d.names, now).state).toBe('failed');
    expect(bootReadiness([droplet(d, { index: 1, status: 'off' }), up], d.names, now).state).toBe('failed');
    expect(bootReadiness([droplet(d, { index: 1 }), up], d.names, now)).toEqual({ state: 'ready' });
  });

  it('steps a resize through power off, resize, power on', () => {
    expect(nextResizeAction({ status: 'active', size: 'a' }, 'b')).toBe('power_off');
    expect(nextResizeAction({ status: 'off', size: 'a' }, 'b')).toBe('resize');
    expect(nextResizeAction({ status: 'off', size: 'b' }, 'b')).toBe('power_on');
    expect(nextResizeAction({ status: 'active', size: 'b' }, 'b')).toBeUndefined();
  });

  it('takes a completed action over a status that lags behind it, until a read agrees', () => {
    // Power off completed, the droplet still listed active: resize next, not power off again.
    const lagging = reconcile({ status: 'active', size: 'a' }, outcomeOf('power_off', 'b'));
    expect(lagging.view).toEqual({ status: 'off', size: 'a' });
    expect(nextResizeAction(lagging.view, 'b')).toBe('resize');
    expect(lagging.known).toEqual({ status: 'off' });
    // Once a read shows it, the outcome is dropped: a later change by someone else is seen again.
    expect(reconcile({ status: 'off', size: 'a' }, lagging.known)).toEqual({
      view: { status: 'off', size: 'a' },
      known: {},
    });
    const after = reconcile({ status: 'off', size: 'b' }, { status: 'active' });
    expect(nextResizeAction(after.view, 'b')).toBeUndefined();
    expect(outcomeOf('resize', 'b')).toEqual({ size: 'b' });
  });

  it('says what a droplet runs from its name alone: the generation digests image, region and the credential-free cloud-init', () => {
    const docr = desired();
    const detail = generationDetail(docr, docr.names[0]!);
    expect(detail).toContain(`generation ${docr.generation}`);
    expect(detail).toContain(docr.userData.sha256.slice(0, 12));
    expect(detail).toContain('the cloud-init this tool writes');
    const own = desired({ user_data: '#!/bin/sh\n' });
    expect(generationDetail(own, own.names[0]!)).toContain("the manifest's user_data");
    // Another cloud-init template is another generation, hence another name.
    const container = { ...sampleDeployment().droplets!.container, image: 'nginx:1.27' };
    expect(desired({ container }).generation).not.toBe(docr.generation);
  });
});

describe('expand and flatten', () => {
  it('builds the multi-create request from the payload', () => {
    const d = desired();
    const step = planDroplets(d, actualOf(d, []))[0]!;
    const payload = step.payload?.type === 'create' ? step.payload.create : undefined;
    expect(expandCreateRequest(payload!, ['a', 'b'], 'user data')).toEqual({
      names: ['a', 'b'],
      region: 'nyc3',
      size: 's-1vcpu-1gb',
      image: 'docker-20-04',
      sshKeys: [d.sshKeyFingerprint],
      tags: ['base2-staging', OWNER_TAG],
      userData: 'user data',
      monitoring: true,
    });
  });

  it('flattens what dots answers', () => {
    const flat = flattenDroplet({
      id: 7,
      name: 'x',
      status: 'active',
      sizeSlug: 's-1vcpu-1gb',
      region: { slug: 'nyc3' },
      image: { slug: 'debian-12-x64' },
      tags: ['t'],
      createdAt: new Date(5),
      locked: false,
      networks: {
        v4: [
          { type: 'private', ipAddress: '10.1.1.1' },
          { type: 'public', ipAddress: '1.2.3.4' },
        ],
      },
    } as never);
    expect(flat).toEqual({
      id: 7,
      name: 'x',
      status: 'active',
      size: 's-1vcpu-1gb',
      region: 'nyc3',
      image: 'debian-12-x64',
      tags: ['t'],
      createdAt: 5,
      publicIpv4: '1.2.3.4',
      ipv6: false,
      locked: false,
    });
  });
});
