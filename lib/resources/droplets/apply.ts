import type { Deployment } from '../../config/manifest.js';
import type { OpContext } from '../../ops/types.js';
import { settleAll } from '../settle.js';
import type { AppliedStep, PlanStep } from '../types.js';
import { waitFor } from '../wait.js';
import { createDroplets } from './create.js';
import { deleteByTag, deleteDroplets, result } from './delete.js';
import { enableIpv6All } from './ipv6.js';
import type { DropletPayload, DropletStep } from './plan.js';
import { listOwned } from './read.js';
import { bootReadiness } from './readiness.js';
import { rollResizes } from './rolling-resize.js';
import { waitUntilDeleted } from './wait-deleted.js';

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
  return deleteDroplets(ctx, slug, steps);
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
    s.action === 'update' && s.id && (s.payload?.type === 'resize' || s.payload?.type === 'power-on')
      ? [{ name: s.name, id: Number(s.id), size: s.payload.size }]
      : [],
  );
  const enables = steps.flatMap((s) =>
    s.action === 'update' && s.id && s.payload?.type === 'enable-ipv6'
      ? [{ name: s.name, id: Number(s.id) }]
      : [],
  );
  const deletes = steps.filter((s) => s.action === 'delete');
  // Deletes by id now (beyond the count, duplicates, those marked and still listed); retirement later.
  const plain = deletes.filter((s) => s.id && (typeOf(s) === undefined || typeOf(s) === 'finish-delete'));
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
    ...(plain.length > 0 ? [deleteDroplets(ctx, slug, plain)] : []),
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
