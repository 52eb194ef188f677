/**
 * What DigitalOcean would refuse of planned droplet steps, found before any is taken: a size its
 * catalog (GET /v2/sizes) does not list, a new droplet of a size not offered for creates in the
 * region, a resize to a size whose disk is smaller than the droplet's (a disk never shrinks, and
 * DigitalOcean answers 422 "Size can not decrease size of Droplet's disk image"). Reading the
 * catalog is one GET; judging is pure.
 */
import { listAll, toToolError } from '../../do/index.js';
import type { OpContext } from '../../ops/types.js';
import type { ActualDroplets } from './model.js';
import type { DropletStep } from './plan.js';

/** One size as the catalog lists it, with what the checks need. */
export interface SizeFacts {
  slug: string;
  /** GB. */
  disk: number;
  /** New droplets can be created with it. */
  available: boolean;
  /** Where new droplets of this size can be created. */
  regions: string[];
}

export type SizeCatalog = ReadonlyMap<string, SizeFacts>;

export async function readSizeCatalog(ctx: OpContext): Promise<SizeCatalog> {
  try {
    const sizes = await listAll(
      async (page, perPage) => {
        const r = await ctx.api.client.v2.sizes.get({ queryParameters: { page, perPage } });
        return { items: r?.sizes, links: r?.links, meta: r?.meta };
      },
      { what: 'droplet sizes' },
    );
    return new Map(
      sizes.flatMap((s) =>
        s.slug
          ? [
              [
                s.slug,
                {
                  slug: s.slug,
                  disk: s.disk ?? 0,
                  available: s.available !== false,
                  regions: [...(s.regions ?? [])],
                },
              ],
            ]
          : [],
      ),
    );
  } catch (error) {
    throw toToolError(error, { action: 'list', resource: 'droplet sizes' });
  }
}

const known = (catalog: SizeCatalog) => [...catalog.keys()].slice(0, 8).join(', ');

/** Pure: one sentence per planned droplet step DigitalOcean would refuse. */
export function sizeRefusals(
  steps: readonly DropletStep[],
  actual: ActualDroplets,
  catalog: SizeCatalog,
): string[] {
  const refusals: string[] = [];
  const unknown = (size: string) =>
    `size ${size} is not in DigitalOcean's droplet size catalog (it lists ${known(catalog)}, …)`;
  const creates = steps.filter((s) => s.action === 'create' && s.payload?.type === 'create');
  const first = creates[0]?.payload;
  if (first?.type === 'create') {
    const { size, region } = first.create;
    const facts = catalog.get(size);
    const names = creates.map((s) => s.name).join(', ');
    if (!facts) refusals.push(`new droplets ${names}: ${unknown(size)}`);
    else if (!facts.available || !facts.regions.includes(region)) {
      refusals.push(
        `new droplets ${names}: size ${size} is not available for new droplets in ${region} ` +
          `(DigitalOcean answers 422 "Size is not available in this region"); it is offered in ${facts.regions.join(', ') || 'no region'}`,
      );
    }
  }
  const byId = new Map(actual.owned.map((d) => [String(d.id), d]));
  for (const step of steps) {
    if (step.action !== 'update' || step.payload?.type !== 'resize' || !step.id) continue;
    const droplet = byId.get(step.id);
    const size = step.payload.size;
    // Powering on at the size it has is no resize.
    if (!droplet || droplet.size === size) continue;
    const facts = catalog.get(size);
    if (!facts) {
      refusals.push(`droplet ${step.name}: ${unknown(size)}`);
      continue;
    }
    if (droplet.disk !== undefined && facts.disk < droplet.disk) {
      refusals.push(
        `droplet ${step.name}: its disk is ${droplet.disk} GB and ${size} has ${facts.disk} GB, and DigitalOcean ` +
          `never shrinks a droplet's disk (422 "Size can not decrease size of Droplet's disk image"): ` +
          `pick a size with at least ${droplet.disk} GB of disk`,
      );
    }
  }
  return refusals;
}
