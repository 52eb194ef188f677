/** Pure: which planned droplet steps DigitalOcean would refuse, judged against its size catalog. */
import { describe, expect, it } from 'vitest';
import type { ActualDroplets, DropletState } from '../../lib/resources/droplets/model.js';
import type { DropletStep } from '../../lib/resources/droplets/plan.js';
import { type SizeCatalog, sizeRefusals } from '../../lib/resources/droplets/size-check.js';

const catalog: SizeCatalog = new Map(
  [
    { slug: 's-1vcpu-512mb-10gb', disk: 10, available: true, regions: ['nyc3', 'fra1'] },
    { slug: 's-1vcpu-1gb', disk: 25, available: true, regions: ['nyc3', 'fra1'] },
    { slug: 's-2vcpu-2gb', disk: 60, available: true, regions: ['fra1'] },
    { slug: 's-4vcpu-8gb', disk: 160, available: false, regions: [] },
  ].map((s) => [s.slug, s]),
);

const droplet = (id: number, size: string, disk?: number): DropletState => ({
  id,
  name: `base2-staging-abc123-${id}`,
  status: 'active',
  size,
  region: 'nyc3',
  image: 'debian-12-x64',
  tags: [],
  createdAt: 0,
  publicIpv4: '192.0.2.1',
  locked: false,
  ...(disk === undefined ? {} : { disk }),
});
const actual = (...owned: DropletState[]): ActualDroplets => ({
  slug: 'base2-staging',
  owned,
  lookalikes: [],
  accountScanned: true,
});
const resize = (d: DropletState, size: string): DropletStep => ({
  kind: 'droplet',
  action: 'update',
  name: d.name,
  id: String(d.id),
  reason: `size ${d.size} → ${size}`,
  payload: { type: 'resize', size },
});
const create = (index: number, size: string, region = 'nyc3'): DropletStep => ({
  kind: 'droplet',
  action: 'create',
  name: `base2-staging-abc123-${index}`,
  reason: 'missing',
  payload: {
    type: 'create',
    create: {
      generation: 'abc123',
      region,
      size,
      image: 'debian-12-x64',
      sshKeyFingerprint: 'aa:bb',
      tags: [],
      userData: { source: 'manifest', text: '', sha256: '' },
    },
  },
});

describe('droplet size checks before an edit', () => {
  it('accepts a resize up, and powering on at the size a droplet has', () => {
    const d = droplet(1, 's-1vcpu-1gb', 25);
    expect(sizeRefusals([resize(d, 's-2vcpu-2gb')], actual(d), catalog)).toEqual([]);
    expect(sizeRefusals([resize(d, 's-1vcpu-1gb')], actual(d), catalog)).toEqual([]);
  });

  it('refuses a resize to a size whose disk is smaller than the droplet’s, naming both disks', () => {
    const d = droplet(1, 's-2vcpu-2gb', 60);
    const [refusal] = sizeRefusals([resize(d, 's-1vcpu-1gb')], actual(d), catalog);
    expect(refusal).toMatch(/droplet base2-staging-abc123-1: its disk is 60 GB and s-1vcpu-1gb has 25 GB/);
    expect(refusal).toMatch(/at least 60 GB/);
  });

  it('goes by the disk the droplet has, not its size: a disk that did not grow can go back down', () => {
    // Resized up without the disk (as the tool resizes): 25 GB still, so back to s-1vcpu-1gb is fine.
    const d = droplet(1, 's-2vcpu-2gb', 25);
    expect(sizeRefusals([resize(d, 's-1vcpu-1gb')], actual(d), catalog)).toEqual([]);
  });

  it('refuses a size the catalog does not list, for a resize and for new droplets', () => {
    const d = droplet(1, 's-1vcpu-1gb', 25);
    const refusals = sizeRefusals([resize(d, 's-3vcpu-9gb'), create(3, 's-3vcpu-9gb')], actual(d), catalog);
    expect(refusals).toHaveLength(2);
    expect(refusals.join('\n')).toMatch(/new droplets base2-staging-abc123-3: size s-3vcpu-9gb is not in/);
  });

  it('refuses new droplets of a size not offered in the region, or not offered at all', () => {
    expect(sizeRefusals([create(3, 's-2vcpu-2gb'), create(4, 's-2vcpu-2gb')], actual(), catalog)).toEqual([
      expect.stringMatching(
        /^new droplets base2-staging-abc123-3, base2-staging-abc123-4: size s-2vcpu-2gb is not available for new droplets in nyc3 .*offered in fra1$/,
      ),
    ]);
    expect(sizeRefusals([create(3, 's-2vcpu-2gb', 'fra1')], actual(), catalog)).toEqual([]);
    expect(sizeRefusals([create(3, 's-4vcpu-8gb')], actual(), catalog)).toHaveLength(1);
  });
});
