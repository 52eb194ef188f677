import { isOwnedByTags } from '../../config/identity.js';
import { listAll, nextPageLink, toToolError } from '../../do/index.js';
import type { OpContext } from '../../ops/types.js';
import { deletedIds, isMarkedDeleting } from './deleted.js';
import { type ActualDroplets, type DropletState, flattenDroplet, type Lookalike } from './model.js';
import { isDeploymentDropletName } from './names.js';

const PER_PAGE = 200;

/** Every droplet carrying the slug tag (owned or not). */
export async function listTagged(ctx: OpContext, slug: string): Promise<DropletState[]> {
  try {
    const droplets = await listAll(
      async (page, perPage) => {
        const r = await ctx.api.client.v2.droplets.get({ queryParameters: { page, perPage, tagName: slug } });
        return { items: r?.droplets, links: r?.links, meta: r?.meta };
      },
      { what: `droplets tagged ${slug}`, perPage: PER_PAGE },
    );
    return droplets.map(flattenDroplet);
  } catch (error) {
    throw toToolError(error, { action: 'list', resource: `droplets tagged ${slug}` });
  }
}

/**
 * Owned droplets only: for readiness, verification and the checks apply makes before creating. A
 * droplet being deleted — marked so, or deleted by this operation — is left out even while
 * DigitalOcean still lists it (deleted.ts): its machine is gone, so nothing may count it as
 * serving, nor take it for one still to create.
 */
export async function listOwned(ctx: OpContext, slug: string): Promise<DropletState[]> {
  const deleted = deletedIds(ctx);
  return (await listTagged(ctx, slug)).filter(
    (d) => isOwnedByTags(d.tags, slug) && !isMarkedDeleting(d) && !deleted.has(d.id),
  );
}

/**
 * The account's first page of droplets: all of them when they fit one page (one call, as cheap as
 * the tagged list), and how many the account has (for the droplet limit), when DigitalOcean says.
 */
async function accountFirstPage(
  ctx: OpContext,
): Promise<{ droplets: DropletState[] | undefined; total: number | undefined }> {
  try {
    const r = await ctx.api.client.v2.droplets.get({ queryParameters: { page: 1, perPage: PER_PAGE } });
    const items = r?.droplets ?? [];
    const total = r?.meta?.total ?? undefined;
    const complete = total === undefined ? nextPageLink(r?.links) === undefined : items.length >= total;
    return {
      droplets: complete ? items.map(flattenDroplet) : undefined,
      total: complete ? items.length : total,
    };
  } catch (error) {
    throw toToolError(error, { action: 'list', resource: 'droplets' });
  }
}

/**
 * Pure: owned droplets (those being deleted apart) and look-alikes, out of the tagged ones and
 * (when known) the whole account.
 */
export function splitDroplets(
  slug: string,
  tagged: readonly DropletState[],
  account: readonly DropletState[] | undefined,
): ActualDroplets {
  const ours = tagged.filter((d) => isOwnedByTags(d.tags, slug));
  const owned = ours.filter((d) => !isMarkedDeleting(d));
  const deleting = ours.filter(isMarkedDeleting);
  const lookalikes: Lookalike[] = tagged
    .filter((d) => !isOwnedByTags(d.tags, slug))
    .map((droplet) => ({ droplet, why: 'tag' }));
  for (const droplet of account ?? []) {
    if (!droplet.tags.includes(slug) && isDeploymentDropletName(droplet.name, slug)) {
      lookalikes.push({ droplet, why: 'name' });
    }
  }
  return {
    slug,
    owned,
    ...(deleting.length > 0 ? { deleting } : {}),
    lookalikes,
    accountScanned: account !== undefined,
  };
}

/**
 * Ownership is decided by tags alone. Droplets named like ours but without the slug tag can only
 * be found in the whole account (DigitalOcean lists by exact name, not by prefix): we look when the
 * account fits one page of 200 — then that one call replaces the tagged list — and otherwise list
 * by tag and skip that report rather than page through a large account on every read. The same
 * call counts the account's droplets, which the droplet limit is checked against.
 */
export async function readDroplets(ctx: OpContext, slug: string): Promise<ActualDroplets> {
  const first = await accountFirstPage(ctx);
  const counted = first.total === undefined ? {} : { accountTotal: first.total };
  const account = first.droplets;
  if (account)
    return {
      ...splitDroplets(
        slug,
        account.filter((d) => d.tags.includes(slug)),
        account,
      ),
      ...counted,
    };
  ctx.log.debug(
    'droplets: the account has more than one page of droplets; untagged look-alikes are not looked for',
    {
      deployment: slug,
    },
  );
  return { ...splitDroplets(slug, await listTagged(ctx, slug), undefined), ...counted };
}
