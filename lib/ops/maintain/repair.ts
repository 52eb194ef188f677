/**
 * The mutating half of maintain: put back what is safe to put back, then clean up. Droplets and the
 * firewall first (in parallel); DNS once re-created droplets are up and have addresses (planned
 * again from what DigitalOcean then says); the old generation and the registry last.
 */
import type { Deployment } from '../../config/manifest.js';
import { isToolError } from '../../errors.js';
import { unfinishedDeletions } from '../../resources/droplets/deleted.js';
import type { DesiredDroplets } from '../../resources/droplets/index.js';
import { settleAll } from '../../resources/settle.js';
import type { AppliedStep, PlanStep } from '../../resources/types.js';
import { waitFor } from '../../resources/wait.js';
import { factsOf, type Kind, type KindPlan, moduleOf, planWorld, readWorld } from '../converge.js';
import type { OpContext } from '../types.js';
import { classifyDrift, dropletRecords } from './drift.js';
import { collectGarbage, type GarbagePlan } from './registry-gc.js';
import type { MaintainResult } from './types.js';

export interface RepairWork {
  deployment: Deployment;
  kinds: readonly Kind[];
  repairs: readonly KindPlan[];
  /** Retire steps of an old generation, when the current one is complete and healthy. */
  cleanup: readonly PlanStep[];
  garbage?: GarbagePlan | undefined;
}

export type RepairOutcome = Pick<
  MaintainResult,
  'repaired' | 'cleaned' | 'registry_gc' | 'progress' | 'failure'
>;

/** Applies the kinds in parallel into `done`; the first failure is thrown once all have finished. */
async function applyAll(
  ctx: OpContext,
  deployment: Deployment,
  plans: readonly KindPlan[],
  done: AppliedStep[],
): Promise<void> {
  await settleAll(
    plans.map((p) => moduleOf(p.kind).apply(ctx, deployment, p.steps)),
    done,
  );
}

/** By the clock or by the abort signal that stops probes and waits, whichever said so first. */
export const isDeadlinePassed = (ctx: OpContext) => ctx.deadline.expired() || ctx.deadline.signal.aborted;

/** Waits for re-created droplets; then DNS is planned from the addresses they now have. */
async function afterRecreate(ctx: OpContext, work: RepairWork, out: RepairOutcome): Promise<boolean> {
  const droplets = work.repairs.find((p) => p.kind === 'droplet');
  const state = await waitFor(ctx, 'waiting for re-created droplets', () =>
    moduleOf('droplet').readiness!(ctx, work.deployment, droplets!.desired as DesiredDroplets),
  );
  if (state.state === 'pending') {
    out.progress = { phase: 'waiting for re-created droplets', detail: state.detail };
    return false;
  }
  if (state.state === 'failed' && isDeadlinePassed(ctx)) {
    // Health probes the deadline aborted read as "does not answer": the wait was cut short, and
    // the next run waits again rather than calling the droplets broken.
    out.progress = {
      phase: 'waiting for re-created droplets',
      detail: 'the deadline passed before the re-created droplets had answered their health checks',
    };
    return false;
  }
  if (state.state === 'failed') {
    out.failure = { kind: 'droplet', detail: state.detail };
    return false;
  }
  const world = await readWorld(ctx, work.deployment, work.kinds);
  const fresh = classifyDrift(
    planWorld(work.deployment, world, factsOf(world), work.kinds),
    dropletRecords(work.deployment),
  );
  const dns = fresh.repairs.filter((p) => p.kind === 'domain');
  await applyAll(ctx, work.deployment, dns, out.repaired);
  return true;
}

export async function repairAndClean(ctx: OpContext, work: RepairWork): Promise<RepairOutcome> {
  const out: RepairOutcome = { repaired: [], cleaned: [] };
  const recreating = work.repairs.some(
    (p) => p.kind === 'droplet' && p.steps.some((s) => s.action === 'create'),
  );
  try {
    const first = work.repairs.filter((p) => !(recreating && p.kind === 'domain'));
    ctx.progress({ step: 'repairing', detail: first.map((p) => p.kind).join(', ') });
    await applyAll(ctx, work.deployment, first, out.repaired);
    // Droplets an earlier operation deleted, deleted again: DigitalOcean may not be done with them yet.
    const deleting = unfinishedDeletions(ctx);
    if (deleting) {
      out.progress = deleting;
      return out;
    }
    if (recreating && !(await afterRecreate(ctx, work, out))) return out;
    if (work.cleanup.length > 0) {
      ctx.progress({ step: 'cleaning up', detail: work.cleanup.map((s) => s.name).join(', ') });
      out.cleaned.push(...(await moduleOf('droplet').apply(ctx, work.deployment, [...work.cleanup])));
      // Deleted, and listed by DigitalOcean until it has finished: the next run sees them gone.
      const deleting = unfinishedDeletions(ctx);
      if (deleting) {
        out.progress = deleting;
        return out;
      }
    }
    if (work.garbage) out.registry_gc = await collectGarbage(ctx, work.deployment.slug, work.garbage);
  } catch (error) {
    if (!isToolError(error)) throw error;
    out.failure = { kind: 'apply', detail: error.describe() };
  }
  return out;
}
