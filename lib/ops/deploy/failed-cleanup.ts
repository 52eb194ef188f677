/**
 * What a failed deploy leaves: nothing half-made. The droplets the attempt created are deleted
 * (unless kept on purpose) and waited for until DigitalOcean no longer lists them.
 */
import type { Deployment } from '../../config/manifest.js';
import { isToolError } from '../../errors.js';
import { unfinishedDeletions } from '../../resources/droplets/deleted.js';
import type { ActualDroplets } from '../../resources/droplets/index.js';
import { listOwned } from '../../resources/droplets/read.js';
import type { AppliedStep, PlanStep } from '../../resources/types.js';
import { moduleOf, type World } from '../converge.js';
import type { OpContext } from '../types.js';

/**
 * The droplets this attempt created: those its steps record, and any owned droplet the read at its
 * start did not list (the lock keeps every other operation out), so a step lost to an error in a
 * parallel branch still counts. Without that read (it failed too), the steps are all there is.
 */
async function createdByAttempt(
  ctx: OpContext,
  deployment: Deployment,
  before: ActualDroplets | undefined,
  applied: readonly AppliedStep[],
): Promise<Array<{ id: string; name: string }>> {
  const created = new Map(
    applied
      .filter((a) => a.kind === 'droplet' && a.action === 'create' && a.outcome === 'ok' && a.id)
      .map((a) => [a.id!, { id: a.id!, name: a.name }]),
  );
  if (before) {
    const known = new Set(before.owned.map((d) => d.id));
    try {
      for (const d of await listOwned(ctx, deployment.slug)) {
        if (!known.has(d.id)) created.set(String(d.id), { id: String(d.id), name: d.name });
      }
    } catch (error) {
      if (!isToolError(error)) throw error;
    }
  }
  return [...created.values()];
}

/** A failed attempt leaves nothing half-made: droplets it created go, unless kept on purpose. */
export async function removeNewDroplets(
  ctx: OpContext,
  deployment: Deployment,
  world: World,
  applied: readonly AppliedStep[],
  keep: boolean,
): Promise<string | undefined> {
  if (!deployment.droplets) return undefined;
  const before = world.droplet as ActualDroplets | undefined;
  const created = await createdByAttempt(ctx, deployment, before, applied);
  if (created.length === 0) return undefined;
  const names = created.map((a) => a.name).join(', ');
  if (keep) return `kept the droplets this attempt created (keep_failed): ${names}`;
  const steps: PlanStep[] = created.map((a) => ({
    kind: 'droplet',
    action: 'delete',
    name: a.name,
    id: a.id,
    reason: 'created by a failed deploy',
  }));
  try {
    await moduleOf('droplet').apply(ctx, deployment, steps);
    if (unfinishedDeletions(ctx))
      return `deleted the droplets this attempt created (${names}); DigitalOcean still lists them until it has finished`;
    return `removed the droplets this attempt created: ${names}`;
  } catch (error) {
    return `could not remove the droplets this attempt created (${names}): ${isToolError(error) ? error.describe() : String(error)} Run teardown or deploy again.`;
  }
}
