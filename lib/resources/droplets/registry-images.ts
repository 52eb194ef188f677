/**
 * The images a droplet generation can have been made from, when the droplets' container image is
 * in DigitalOcean's registry: its repository's tags, then its manifests' digests. A generation
 * digests the image it runs (names.ts), so trying these finds the image droplets run without
 * reading anything from the droplets themselves.
 */
import { isNotFound, listAll, toApiError } from '../../do/index.js';
import type { OpContext } from '../../ops/types.js';
import { isDocrImage, REGISTRY_HOST } from './cloud-init.js';

export interface ImageRef {
  tag?: string | undefined;
  digest?: string | undefined;
}

/** Pure: `registry.digitalocean.com/<registry>/<repository>[:tag|@digest]` → its registry and repository. */
export function docrRepository(image: string): { registry: string; repository: string } | undefined {
  if (!isDocrImage(image)) return undefined;
  const path = image.slice(REGISTRY_HOST.length + 1);
  const slash = path.indexOf('/');
  if (slash <= 0) return undefined;
  const repository = path
    .slice(slash + 1)
    .split('@')[0]!
    .split(':')[0]!;
  return repository ? { registry: path.slice(0, slash), repository } : undefined;
}

/** Tags first (one list), then digests (another), only as far as the caller reads. */
export async function* registryImages(ctx: OpContext, image: string): AsyncGenerator<ImageRef[]> {
  const where = docrRepository(image);
  if (!where) return;
  const repo = ctx.api.client.v2.registry
    .byRegistry_name(where.registry)
    .repositories.byRepository_name(where.repository);
  const what = `images of ${where.registry}/${where.repository}`;
  try {
    const tags = await listAll(
      async (page, perPage) => {
        const r = await repo.tags.get({ queryParameters: { page, perPage } });
        return { items: r?.tags, links: r?.links, meta: r?.meta };
      },
      { what },
    );
    yield tags.flatMap((t) => (t.tag ? [{ tag: t.tag }] : []));
    const manifests = await listAll(
      async (page, perPage) => {
        const r = await repo.digests.get({ queryParameters: { page, perPage } });
        return { items: r?.manifests, links: r?.links, meta: r?.meta };
      },
      { what },
    );
    yield manifests.flatMap((m) => (m.digest ? [{ digest: m.digest }] : []));
  } catch (error) {
    // No registry, or the repository is gone: there is no image to match.
    if (isNotFound(error)) return;
    throw toApiError(error, { action: 'list', resource: what });
  }
}
