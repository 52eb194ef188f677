import type { Deployment } from '../config/manifest.js';
import { type AnyResourceModule, resourceModules } from '../resources/index.js';
import type { AppliedStep, Facts, PlanStep, ResourceKind } from '../resources/types.js';
import type { OpContext } from './types.js';

/** The kinds a deployment can have, in the order plans list them. */
export type Kind = Exclude<ResourceKind, 'record' | 'tag'>;
export const KINDS: readonly Kind[] = ['registry', 'ssh_key', 'app', 'firewall', 'droplet', 'domain'];

export const NO_FACTS: Facts = { dropletIpv4: [] };

export function moduleOf(kind: Kind): AnyResourceModule {
  return resourceModules[kind];
}

/** The kinds the manifest has a section for; absent targets are skipped, never destroyed. */
export function kindsOf(deployment: Deployment): Kind[] {
  return KINDS.filter((kind) => moduleOf(kind).desired(deployment, NO_FACTS) !== undefined);
}

export type World = Partial<Record<Kind, unknown>>;

/** Reads the actual state of every kind at once: independent lists, in parallel. */
export async function readWorld(
  ctx: OpContext,
  deployment: Deployment,
  kinds: readonly Kind[],
): Promise<World> {
  const entries = await Promise.all(
    kinds.map(async (kind) => [kind, await moduleOf(kind).read(ctx, deployment)] as const),
  );
  return Object.fromEntries(entries);
}

export function factsOf(world: World): Facts {
  const facts: Facts = { dropletIpv4: [] };
  for (const kind of KINDS) {
    if (!(kind in world)) continue;
    Object.assign(facts, moduleOf(kind).facts?.(world[kind]) ?? {});
  }
  return facts;
}

export interface KindPlan {
  kind: Kind;
  desired: unknown;
  steps: PlanStep[];
}

/** Pure: every kind's steps from desired (manifest + facts) and actual. */
export function planWorld(
  deployment: Deployment,
  world: World,
  facts: Facts,
  kinds: readonly Kind[],
): KindPlan[] {
  return kinds.map((kind) => {
    const desired = moduleOf(kind).desired(deployment, facts);
    return { kind, desired, steps: moduleOf(kind).plan(desired, world[kind]) };
  });
}

/** Look-alikes, duplicates, foreign DNS values; with plans, checked against what is desired too. */
export function warningsOf(
  deployment: Deployment,
  world: World,
  kinds: readonly Kind[],
  plans: readonly KindPlan[] = [],
): string[] {
  const desired = new Map(plans.map((p) => [p.kind, p.desired]));
  return kinds.flatMap((kind) => moduleOf(kind).warnings(world[kind], deployment, desired.get(kind)));
}

export function changesOf(plans: readonly KindPlan[]): PlanStep[] {
  return plans.flatMap((p) => p.steps).filter((s) => s.action !== 'noop');
}

/** Applies one kind's steps (all, or only the deferred ones); nothing to do is no call at all. */
export async function applyKind(
  ctx: OpContext,
  deployment: Deployment,
  plan: KindPlan | undefined,
  which: 'now' | 'deferred',
): Promise<AppliedStep[]> {
  if (!plan) return [];
  const steps = plan.steps.filter(
    (s) => s.action !== 'noop' && Boolean(s.deferred) === (which === 'deferred'),
  );
  if (steps.length === 0) return [];
  return moduleOf(plan.kind).apply(ctx, deployment, steps);
}

/**
 * Droplet updates done in place (a rolling resize, enabling IPv6) that the deadline cut short: the
 * droplets may all be up, but the operation is not done, so it answers `in_progress` with this.
 */
export function unfinishedDropletUpdates(
  applied: readonly AppliedStep[],
): { phase: string; detail: string } | undefined {
  const left = applied.filter(
    (s) => s.kind === 'droplet' && s.action === 'update' && s.outcome === 'skipped',
  );
  if (left.length === 0) return undefined;
  return { phase: 'updating droplets (resize, IPv6)', detail: left.map((s) => s.name).join(', ') };
}
