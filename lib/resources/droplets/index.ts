/**
 * The deployment's droplets: `count` droplets named `<slug>-<generation>-<n>`, tagged for
 * ownership, created with the deployment's SSH key and a cloud-init that runs the container.
 * Owned means both tags; anything else that looks like ours is reported and never touched.
 */
import type { Deployment } from '../../config/manifest.js';
import type { OpContext } from '../../ops/types.js';
import type { Facts, ResourceModule } from '../types.js';
import { applyDropletSteps } from './apply.js';
import { desiredDroplets } from './desired.js';
import type { ActualDroplets, DesiredDroplets, DropletState } from './model.js';
import { parseDropletName } from './names.js';
import { destroyDroplets, groupByName, planDroplets } from './plan.js';
import { readDroplets } from './read.js';
import { dropletsReadiness } from './readiness.js';
import { verifyDroplets } from './verify.js';
import { dropletWarnings } from './warnings.js';

export { type CloudInitSpec, cloudInitSpec, isDocrImage, renderCloudInit } from './cloud-init.js';
export { desiredDroplets, wantsIpv6 } from './desired.js';
export type { ActualDroplets, DesiredDroplets, DropletState, Lookalike } from './model.js';
export {
  dropletGeneration,
  generationDropletName,
  isDeploymentDropletName,
  parseDropletName,
} from './names.js';
export { type DropletPayload, type DropletStep, destroyDroplets, planDroplets, powerOnStep } from './plan.js';
export { docrRepository, type ImageRef, registryImages } from './registry-images.js';

/**
 * The addresses DNS should point at, IPv4 and IPv6: the active droplets of the newest generation
 * that has any (while a replacement boots, the old one keeps serving), duplicates left out.
 */
export function dropletFacts(actual: ActualDroplets): Partial<Facts> {
  const kept = [...groupByName(actual.owned).values()].map((g) => g[0]!);
  const active = kept.filter((d) => d.status === 'active' && d.publicIpv4);
  const generations = new Map<string, DropletState[]>();
  for (const d of active) {
    const generation = parseDropletName(d.name, actual.slug)?.generation ?? '';
    generations.set(generation, [...(generations.get(generation) ?? []), d]);
  }
  const newest = (group: DropletState[]) => Math.max(...group.map((d) => d.createdAt ?? 0));
  const serving = [...generations.values()].sort((a, b) => newest(b) - newest(a))[0] ?? [];
  return {
    dropletIpv4: serving.map((d) => d.publicIpv4!).sort(),
    // Those of the same droplets: while IPv6 is being enabled, only the ones that have it.
    dropletIpv6: serving.flatMap((d) => (d.publicIpv6 ? [d.publicIpv6] : [])).sort(),
  };
}

export const dropletsModule: ResourceModule<DesiredDroplets, ActualDroplets> = {
  kind: 'droplet',
  desired: (deployment) => desiredDroplets(deployment),
  read: (ctx: OpContext, deployment: Deployment) => readDroplets(ctx, deployment.slug),
  plan: planDroplets,
  apply: applyDropletSteps,
  destroy: destroyDroplets,
  warnings: dropletWarnings,
  facts: dropletFacts,
  readiness: (ctx, deployment, desired) => dropletsReadiness(ctx, desired, deployment),
  verify: (ctx, deployment, desired) => verifyDroplets(ctx, desired, deployment),
};
