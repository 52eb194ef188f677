/**
 * A deployment with nothing that serves it — no app and no droplet of its own — was never deployed
 * (or was torn down). Scheduled maintain runs for every environment the manifest defines, and
 * "repairing" such a one would create its firewall and domain every few minutes: it is reported
 * as not deployed and left alone until a deploy creates it.
 */
import type { AppActual } from '../../resources/app/index.js';
import type { ActualDroplets } from '../../resources/droplets/index.js';
import type { Kind, World } from '../converge.js';

/** Pure: whether `world` holds nothing that serves the deployment, among the kinds it reads. */
export function isNotDeployed(world: World, kinds: readonly Kind[]): boolean {
  if (!kinds.includes('app') && !kinds.includes('droplet')) return false;
  const app = (world.app as AppActual | undefined)?.app;
  const droplets = world.droplet as ActualDroplets | undefined;
  return app === undefined && (droplets?.owned.length ?? 0) === 0 && (droplets?.deleting?.length ?? 0) === 0;
}

/** The one piece of advice such a run gives. */
export function notDeployedAdvice(slug: string): string {
  return `${slug} is not deployed (no app or droplet of its own): maintain changes nothing until \`deploy\` creates it.`;
}
