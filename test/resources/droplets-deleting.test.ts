/**
 * Droplets marked as being deleted (DELETING_TAG): DigitalOcean still lists them, `active`, but no
 * plan counts them — a missing name is created anew beside them — and each is deleted again.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OWNER_TAG } from '../../lib/config/identity.js';
import { loadManifest, resolveDeployment } from '../../lib/config/manifest.js';
import { DELETING_TAG } from '../../lib/resources/droplets/deleted.js';
import {
  type DesiredDroplets,
  type DropletState,
  desiredDroplets,
  destroyDroplets,
  planDroplets,
} from '../../lib/resources/droplets/index.js';
import { splitDroplets } from '../../lib/resources/droplets/read.js';
import { ROOT, SAMPLE_ENV } from '../support/op-context.js';

const desired: DesiredDroplets = desiredDroplets(
  resolveDeployment(loadManifest(join(ROOT, 'deployment.yml'), SAMPLE_ENV), 'staging'),
)!;

function droplet(id: number, index: number, extraTags: string[] = []): DropletState {
  return {
    id,
    name: `${desired.slug}-${desired.generation}-${index}`,
    status: 'active',
    size: desired.size,
    region: desired.region,
    image: desired.image,
    tags: [desired.slug, OWNER_TAG, ...extraTags],
    createdAt: 1_700_000_000_000 + id,
    publicIpv4: `10.0.0.${id}`,
    locked: false,
  };
}

describe('droplets being deleted', () => {
  const live = droplet(1, 1);
  const going = droplet(2, 2, [DELETING_TAG]);
  const actual = splitDroplets(desired.slug, [live, going], [live, going]);

  it('are read apart from the owned ones, and are no look-alikes', () => {
    expect(actual.owned.map((d) => d.id)).toEqual([1]);
    expect(actual.deleting?.map((d) => d.id)).toEqual([2]);
    expect(actual.lookalikes).toEqual([]);
  });

  it('never stand for a name: the name is created anew, and the one going is deleted again', () => {
    const steps = planDroplets(desired, actual).map((s) => `${s.action} ${s.name} ${s.id ?? ''}`.trim());
    expect(steps).toEqual([`create ${going.name}`, `noop ${live.name} 1`, `delete ${going.name} 2`]);
    expect(planDroplets(desired, actual).at(-1)?.payload).toEqual({ type: 'finish-delete' });
  });

  it('go with a teardown, in the bulk delete or one by one', () => {
    expect(destroyDroplets(actual).map((s) => s.reason)).toEqual([
      'all 2 droplet(s) with the tag are owned: one bulk delete',
    ]);
    const withLookalike = { ...actual, lookalikes: [{ droplet: droplet(3, 9), why: 'tag' as const }] };
    expect(destroyDroplets(withLookalike).map((s) => s.id)).toEqual(['1', '2']);
  });
});
