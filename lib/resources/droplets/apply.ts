import { isOwnedByTags } from '../../config/identity.js';
import type { Deployment } from '../../config/manifest.js';
import { isNotFound, isUnclearFailure } from '../../do/index.js';
import { isToolError } from '../../errors.js';
import type { OpContext } from '../../ops/types.js';
import { mutate } from '../mutate.js';
import { settleAll } from '../settle.js';
import type { AppliedStep, PlanStep } from '../types.js';
import { waitFor } from '../wait.js';
import { createDroplets } from './create.js';
import { rememberDeleted, rememberUnclearDelete } from './deleted.js';
import { enableIpv6All } from './ipv6.js';
import type { DropletPayload, DropletStep } from './plan.js';
import { listOwned, listTagged } from './read.js';
import { bootReadiness } from './readiness.js';
import { rollResizes } from './rolling-resize.js';
import { waitUntilDeleted } from './wait-deleted.js';

const result = (step: DropletStep, outcome: AppliedStep['outcome'], detail?: string): AppliedStep => ({
  kind: 'droplet',
  action: step.action,
  name: step.name,
  ...(step.id ? { id: step.id } : {}),
  outcome,
  ...(detail ? { detail } : {}),
});

/**
 * Deleting a droplet that is already gone is done, not a failure. Either way DigitalOcean may list
 * it for a while yet: it is remembered, and apply waits until it is gone.
 */
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
    throw error;
  }
  rememberDeleted(ctx, droplet);
  return result(step, 'ok', gone ? 'already gone' : undefined);
}

/**
 * The bulk delete, checked again just before: if a droplet without the ownership tag has taken
 * the slug tag since the plan was made, only the owned ones are deleted, one by one.
 */
async function deleteByTag(
  ctx: OpContext,
  slug: string,
  step: DropletStep,
  tag: string,
): Promise<AppliedStep[]> {
  const tagged = await listTagged(ctx, tag);
  const owned = tagged.filter((d) => isOwnedByTags(d.tags, slug));
  if (owned.length === 0) return [result(step, 'skipped', 'no droplet left with the tag')];
  if (owned.length < tagged.length) {
    return Promise.all(owned.map((d) => deleteById(ctx, slug, { ...step, name: d.name, id: String(d.id) })));
  }
  try {
    await mutate(ctx, slug, { kind: 'droplet', name: step.name, action: 'delete' }, () =>
      ctx.api.client.v2.droplets.delete({ queryParameters: { tagName: tag } }),
    );
  } catch (error) {
    if (isToolError(error) && isUnclearFailure(error)) for (const d of owned) rememberUnclearDelete(ctx, d);
    throw error;
  }
  for (const d of owned) rememberDeleted(ctx, d);
  return [result(step, 'ok', `${owned.length} droplet(s): ${owned.map((d) => d.name).join(', ')}`)];
}

/** Old generations go only once their successors are active, whoever calls apply and when. */
async function retire(ctx: OpContext, slug: string, steps: DropletStep[]): Promise<AppliedStep[]> {
  const payload = steps[0]?.payload;
  if (payload?.type !== 'retire') return [];
  const successors = payload.successors;
  const state = await waitFor(ctx, `generation ${payload.generation} becoming active`, async () =>
    bootReadiness(await listOwned(ctx, slug), successors, ctx.clock.now()),
  );
  if (state.state !== 'ready') {
    const why = `kept until generation ${payload.generation} is active (${state.detail})`;
    return steps.map((s) => result(s, 'skipped', why));
  }
  return Promise.all(steps.map((s) => deleteById(ctx, slug, s)));
}

const typeOf = (step: DropletStep): DropletPayload['type'] | undefined => step.payload?.type;

/**
 * Creates (by generation), the updates (IPv6, then resizes) and plain deletes run in parallel — the
 * resizes themselves one droplet at a time (rolling-resize.ts); bulk deletes and the retirement of
 * replaced generations follow. Every call goes through mutate (audited). Droplets deleted are
 * waited for until DigitalOcean no longer lists them, within the deadline: when it comes first,
 * `unfinishedDeletions(ctx)` says so and the operation answers `in_progress`.
 */
export async function applyDropletSteps(
  ctx: OpContext,
  deployment: Deployment,
  planned: readonly PlanStep[],
): Promise<AppliedStep[]> {
  const slug = deployment.slug;
  const steps = planned as readonly DropletStep[];
  const creates = new Map<string, DropletStep[]>();
  for (const s of steps) {
    if (s.action !== 'create' || s.payload?.type !== 'create') continue;
    const generation = s.payload.create.generation;
    creates.set(generation, [...(creates.get(generation) ?? []), s]);
  }
  const resizes = steps.flatMap((s) =>
    s.action === 'update' && s.id && s.payload?.type === 'resize'
      ? [{ name: s.name, id: Number(s.id), size: s.payload.size }]
      : [],
  );
  const enables = steps.flatMap((s) =>
    s.action === 'update' && s.id && s.payload?.type === 'enable-ipv6'
      ? [{ name: s.name, id: Number(s.id) }]
      : [],
  );
  const deletes = steps.filter((s) => s.action === 'delete');
  // Resizes are planned from the droplets section, whose health URL the roll waits on.
  const health = deployment.droplets?.health;
  if (resizes.length > 0 && !health)
    throw new Error(`resize steps for ${slug}, which has no droplets section`);
  const roll = () => (health ? rollResizes(ctx, slug, resizes, health) : Promise.resolve([]));
  // A droplet runs one action at a time, so IPv6 is enabled (quick, and nothing goes down) before
  // the roll starts powering droplets off.
  const updates = async () => [
    ...(enables.length > 0 ? await enableIpv6All(ctx, slug, enables) : []),
    ...(resizes.length > 0 ? await roll() : []),
  ];
  const first = await settleAll([
    ...[...creates.values()].map((group) => createDroplets(ctx, slug, group)),
    ...(enables.length + resizes.length > 0 ? [updates()] : []),
    ...deletes
      .filter((s) => s.id && typeOf(s) === undefined)
      .map(async (s) => [await deleteById(ctx, slug, s)]),
  ]);
  const later = await settleAll([
    ...deletes.flatMap((s) =>
      s.payload?.type === 'delete-by-tag' ? [deleteByTag(ctx, slug, s, s.payload.tag)] : [],
    ),
    retire(
      ctx,
      slug,
      deletes.filter((s) => s.id && typeOf(s) === 'retire'),
    ),
  ]);
  await waitUntilDeleted(ctx, slug);
  return [...first, ...later];
}
