/**
 * Which image is deployed. deploy takes `image_tag`/`image_digest` (CI deploys each build so), which
 * deployment.yml does not hold: maintain reads the image the app's spec runs and the generation the
 * droplets carry in their names, and plans against those, so a re-created droplet runs what its
 * siblings run and a newer generation is never taken for a stale one. That the image differs from
 * deployment.yml's is reported as drift, never repaired.
 */
import { type AppSpec, componentsOf } from '../../config/app-spec.js';
import type { Deployment } from '../../config/manifest.js';
import type { AppActual } from '../../resources/app/index.js';
import {
  type ActualDroplets,
  type DropletState,
  desiredDroplets,
  docrRepository,
  parseDropletName,
  registryImages,
} from '../../resources/droplets/index.js';
import type { World } from '../converge.js';
import { type ImageOverride, overrideImage, retag } from '../deploy/image-override.js';
import type { OpContext } from '../types.js';
import type { DriftEntry } from './types.js';

/** The repository the manifest's app image names (every image component when it names none). */
function appRepository(deployment: Deployment): string | undefined {
  const app = deployment.app;
  if (!app) return undefined;
  return (
    app.image?.repository ??
    componentsOf(app.spec).find((c) => c.component.image)?.component.image?.repository
  );
}

/** Pure: the tag or digest `spec`'s components of `repository` run. */
export function appImageOf(spec: AppSpec | undefined, repository: string): ImageOverride | undefined {
  if (!spec) return undefined;
  const image = componentsOf(spec).find((c) => c.component.image?.repository === repository)?.component.image;
  if (!image) return undefined;
  return image.digest ? { digest: image.digest } : { tag: image.tag ?? 'latest' };
}

export const sameImage = (a: ImageOverride | undefined, b: ImageOverride | undefined): boolean =>
  a?.tag === b?.tag && a?.digest === b?.digest;

const show = (image: ImageOverride | undefined) =>
  image?.digest ? `@${image.digest}` : `:${image?.tag ?? '?'}`;

/**
 * Pure: the generation made last — the one whose first droplet is the newest. A droplet re-created
 * later in an older generation does not make that generation newer.
 */
export function newestGeneration(owned: readonly DropletState[], slug: string): string | undefined {
  const firstBorn = new Map<string, number>();
  for (const d of owned) {
    const generation = parseDropletName(d.name, slug)?.generation;
    if (!generation) continue;
    const at = d.createdAt ?? 0;
    firstBorn.set(generation, Math.min(firstBorn.get(generation) ?? at, at));
  }
  return [...firstBorn].sort(([, a], [, b]) => b - a)[0]?.[0];
}

/** Pure: the droplet generation the deployment has with `image`. */
export function generationWith(deployment: Deployment, image: ImageOverride): string | undefined {
  return desiredDroplets(overrideImage(deployment, image))?.generation;
}

/** Pure: `registry.digitalocean.com/<registry>/<repository>[:tag|@digest]` → its registry and repository. */
export const docrRepositoryOf = docrRepository;

/** The image whose generation the droplets carry: the app's first, then the registry's. */
async function dropletImage(
  ctx: OpContext,
  deployment: Deployment,
  generation: string,
  known: ImageOverride[],
): Promise<ImageOverride | undefined> {
  const matches = (choice: ImageOverride) => generationWith(deployment, choice) === generation;
  const found = known.find(matches);
  if (found || !deployment.droplets) return found;
  for await (const choices of registryImages(ctx, deployment.droplets.container.image)) {
    const match = choices.find(matches);
    if (match) return match;
  }
  return undefined;
}

export interface Adoption {
  /** The deployment as deployed: deployment.yml with the image its app and droplets run. */
  deployment: Deployment;
  /** The image differing from deployment.yml's, per target. */
  drift: DriftEntry[];
}

const imageDrift = (kind: 'app' | 'droplet', name: string, what: string): DriftEntry => ({
  kind,
  name,
  action: 'update',
  what,
  treatment: 'report',
  note: 'deploy sets the image (its image_tag or image_digest): maintain keeps the deployed one and repairs with it; run deploy to change it',
});

export async function adoptDeployedImage(
  ctx: OpContext,
  manifest: Deployment,
  world: World,
): Promise<Adoption> {
  const drift: DriftEntry[] = [];
  let deployment = manifest;
  const repository = appRepository(manifest);
  const app = (world.app as AppActual | undefined)?.app;
  const manifestApp = repository ? appImageOf(manifest.app?.spec, repository) : undefined;
  const appImage = repository ? appImageOf(app?.spec, repository) : undefined;
  if (manifest.app && appImage && !sameImage(appImage, manifestApp)) {
    deployment = { ...deployment, app: overrideImage(manifest, appImage).app! };
    drift.push(
      imageDrift(
        'app',
        manifest.slug,
        `image ${repository}${show(appImage)} is deployed; deployment.yml says ${repository}${show(manifestApp)}`,
      ),
    );
  }
  const owned = (world.droplet as ActualDroplets | undefined)?.owned ?? [];
  const current = newestGeneration(owned, manifest.slug);
  const wanted = desiredDroplets(manifest)?.generation;
  if (manifest.droplets && current && current !== wanted) {
    const active = repository ? appImageOf(app?.active?.spec, repository) : undefined;
    const known = [appImage, active].filter((i): i is ImageOverride => i !== undefined);
    const image = await dropletImage(ctx, manifest, current, known);
    if (image) {
      deployment = { ...deployment, droplets: overrideImage(manifest, image).droplets! };
      const reference = retag(manifest.droplets.container.image, image);
      drift.push(
        imageDrift(
          'droplet',
          `droplets of ${manifest.slug}`,
          `run ${reference} (generation ${current}); deployment.yml says ${manifest.droplets.container.image}`,
        ),
      );
    }
  }
  return { deployment, drift };
}
