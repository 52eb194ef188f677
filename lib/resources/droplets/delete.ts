/**
 * Deleting droplets, which DigitalOcean does asynchronously (deleted.ts): each is first tagged
 * DELETING_TAG — one call for all, answered at once — so that every later read, of this call or any
 * other, knows it is going; then deleted, by id or in bulk by tag. A droplet already gone is done,
 * not a failure. What was deleted is remembered, and apply waits until DigitalOcean no longer lists it.
 */
import { isOwnedByTags } from '../../config/identity.js';
import { ApiError, isNotFound, isUnclearFailure } from '../../do/index.js';
import { isToolError } from '../../errors.js';
import type { OpContext } from '../../ops/types.js';
import { mutate } from '../mutate.js';
import type { AppliedStep } from '../types.js';
import { DELETING_TAG, isMarkedDeleting, rememberDeleted, rememberUnclearDelete } from './deleted.js';
import type { DropletStep } from './plan.js';
import { listTagged } from './read.js';

type Target = { id: number; name: string };

/** What a step did, as apply reports it. */
export const result = (step: DropletStep, outcome: AppliedStep['outcome'], detail?: string): AppliedStep => ({
  kind: 'droplet',
  action: step.action,
  name: step.name,
  ...(step.id ? { id: step.id } : {}),
  outcome,
  ...(detail ? { detail } : {}),
});

/**
 * Tags the droplets DELETING_TAG (the tag made first: creating one that exists changes nothing).
 * One that has gone meanwhile makes the call answer 404: the deletes that follow find it gone.
 */
async function markDeleting(ctx: OpContext, slug: string, droplets: readonly Target[]): Promise<void> {
  if (droplets.length === 0) return;
  await mutate(ctx, slug, { kind: 'droplet', name: `tag ${DELETING_TAG}`, action: 'create tag' }, () =>
    ctx.api.client.v2.tags.post({ name: DELETING_TAG }),
  );
  const names = droplets.map((d) => d.name).join(', ');
  try {
    await mutate(ctx, slug, { kind: 'droplet', name: names, action: 'mark for deletion' }, () =>
      ctx.api.client.v2.tags.byTag_id(DELETING_TAG).resources.post({
        resources: droplets.map((d) => ({ resourceId: String(d.id), resourceType: 'droplet' as const })),
      }),
    );
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
}

/**
 * Takes the mark off droplets whose lost DELETE evidently did not happen (still listed long after a
 * deletion would have finished): they serve on, and count as live again.
 */
export async function unmarkDeleting(
  ctx: OpContext,
  slug: string,
  droplets: readonly Target[],
): Promise<void> {
  if (droplets.length === 0) return;
  await mutate(
    ctx,
    slug,
    { kind: 'droplet', name: droplets.map((d) => d.name).join(', '), action: 'unmark' },
    () =>
      ctx.api.client.v2.tags.byTag_id(DELETING_TAG).resources.delete({
        resources: droplets.map((d) => ({ resourceId: String(d.id), resourceType: 'droplet' as const })),
      }),
  );
}

async function deleteById(ctx: OpContext, slug: string, step: DropletStep): Promise<AppliedStep> {
  let gone = false;
  const droplet = { id: Number(step.id), name: step.name };
  try {
    await mutate(ctx, slug, { kind: 'droplet', name: step.name, action: 'delete' }, async () => {
      try {
        await ctx.api.client.v2.droplets.byDroplet_id(droplet.id).delete();
      } catch (error) {
        if (!isNotFound(error)) throw error;
        gone = true;
      }
    });
  } catch (error) {
    if (isToolError(error) && isUnclearFailure(error)) rememberUnclearDelete(ctx, droplet);
    else if (step.payload?.type !== 'finish-delete') await unmarkRefused(ctx, slug, [droplet], error);
    throw error;
  }
  rememberDeleted(ctx, droplet);
  return result(step, 'ok', gone ? 'already gone' : undefined);
}

/**
 * A delete DigitalOcean clearly refused (a 4xx with its answer) deleted nothing: the mark comes off
 * again, best effort (left on, the next operation would only try the delete again).
 */
async function unmarkRefused(ctx: OpContext, slug: string, droplets: readonly Target[], error: unknown) {
  if (!(error instanceof ApiError) || error.ambiguous || error.status < 400 || error.status >= 500) return;
  await unmarkDeleting(ctx, slug, droplets).catch((failure: unknown) => {
    if (!isToolError(failure)) throw failure;
    ctx.log.debug('droplets: the deleting mark of a refused delete stays', { deployment: slug });
  });
}

/** Marks the droplets of `steps` (those not marked yet), then deletes each by id, in parallel. */
export async function deleteDroplets(
  ctx: OpContext,
  slug: string,
  steps: readonly DropletStep[],
): Promise<AppliedStep[]> {
  const unmarked = steps.filter((s) => s.payload?.type !== 'finish-delete');
  await markDeleting(
    ctx,
    slug,
    unmarked.map((s) => ({ id: Number(s.id), name: s.name })),
  );
  return Promise.all(steps.map((s) => deleteById(ctx, slug, s)));
}

/**
 * The bulk delete, checked again just before: if a droplet without the ownership tag has taken
 * the slug tag since the plan was made, only the owned ones are deleted, one by one.
 */
export async function deleteByTag(
  ctx: OpContext,
  slug: string,
  step: DropletStep,
  tag: string,
): Promise<AppliedStep[]> {
  const tagged = await listTagged(ctx, tag);
  const owned = tagged.filter((d) => isOwnedByTags(d.tags, slug));
  if (owned.length === 0) return [result(step, 'skipped', 'no droplet left with the tag')];
  if (owned.length < tagged.length) {
    const one = (d: (typeof owned)[number]): DropletStep => ({
      ...step,
      name: d.name,
      id: String(d.id),
      ...(isMarkedDeleting(d) ? { payload: { type: 'finish-delete' } } : {}),
    });
    return deleteDroplets(ctx, slug, owned.map(one));
  }
  const unmarked = owned.filter((d) => !isMarkedDeleting(d));
  await markDeleting(ctx, slug, unmarked);
  try {
    await mutate(ctx, slug, { kind: 'droplet', name: step.name, action: 'delete' }, () =>
      ctx.api.client.v2.droplets.delete({ queryParameters: { tagName: tag } }),
    );
  } catch (error) {
    if (isToolError(error) && isUnclearFailure(error)) for (const d of owned) rememberUnclearDelete(ctx, d);
    else await unmarkRefused(ctx, slug, unmarked, error);
    throw error;
  }
  for (const d of owned) rememberDeleted(ctx, d);
  return [result(step, 'ok', `${owned.length} droplet(s): ${owned.map((d) => d.name).join(', ')}`)];
}
