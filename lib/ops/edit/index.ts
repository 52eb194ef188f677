/**
 * `edit`: change a running deployment — scale, environment, image, DNS records — as one unit: plan
 * every part, apply them all, wait, verify them all; if anything fails, restore every part and
 * verify the restore. Changes are patches of what DigitalOcean holds now, not of the manifest, so
 * the next deploy converges the deployment back to deployment.yml.
 */
import { secretValuesOf } from '../../config/app-spec.js';
import type { Deployment } from '../../config/manifest.js';
import { isToolError } from '../../errors.js';
import { type DeploymentLock, deploymentLock, holdingLock } from '../../lock/index.js';
import { unfinishedDeletions } from '../../resources/droplets/deleted.js';
import { dropletsModule } from '../../resources/droplets/index.js';
import { checkDropletLimit } from '../../resources/droplets/limit.js';
import type { AppliedStep, Check, PlanStep } from '../../resources/types.js';
import { unfinishedDropletUpdates } from '../converge.js';
import { loadDeployment } from '../deployment.js';
import { pointRecordsAt } from '../dns-follow.js';
import { planJson, planTable } from '../plan-table.js';
import type { OpContext, Operation, OpOutcome } from '../types.js';
import { type Attempted, applyEditPlan, settleEdit } from './apply.js';
import { type EditInput, editInputSchema, secretsOf } from './input.js';
import { type EditPlan, hasWork, planEdit, readEditWorld, stepsOf, touchedBy } from './plan.js';
import { preflightEdit, REFUSED_ADVICE } from './preflight.js';
import { renderEdit } from './render.js';
import { type RestoreOutcome, restoreEdit } from './restore.js';
import { verifyEdit } from './verify.js';

export { type ChangeSet, type EditInput, editInputSchema } from './input.js';

export interface EditResult {
  dry_run: boolean;
  /** The changes asked for that are not there yet, one line each (`services.web.instance_count: 1 → 2`). */
  changes: string[];
  plan: Omit<PlanStep, 'payload'>[];
  plan_table: string;
  applied: AppliedStep[];
  checks: Check[];
  /** Where it stopped when the deadline came: the same edit, called again, follows it on. */
  progress?: { phase: string; detail: string };
  /** With `progress`, when the deployment stays locked for the next call: give it as `resume` (lib/lock/hold.ts). */
  resume?: string;
  failure?: { kind: string; detail: string; logs?: string };
  /** What DigitalOcean would refuse of the change set, found before anything changed (the edit is then not made). */
  refusals?: string[];
  /** What DigitalOcean was asked about the change set beforehand, and accepted. */
  validated?: string[];
  /** Present when the edit failed after changing something: whether everything is back, verified. */
  restore?: RestoreOutcome;
}

function changesOf(plan: EditPlan): string[] {
  return [
    ...(plan.app?.changes ?? []),
    ...(plan.droplets?.changes ?? []),
    ...(plan.records?.steps.map((s) => `${s.action} record ${s.name}: ${s.reason}`) ?? []),
  ];
}

/** One mutating operation per deployment at a time (lib/lock), not even between two calls of one. */
async function edit(input: EditInput, ctx: OpContext): Promise<OpOutcome<EditResult>> {
  ctx.log.redactor.addAll(secretsOf(input.changes));
  const deployment = loadDeployment(ctx, input.env);
  const lock = deploymentLock(ctx, deployment.slug, { waitSeconds: input.lock_wait, resume: input.resume });
  return holdingLock(lock, input, () => editLocked(input, ctx, deployment, lock));
}

async function editLocked(
  input: EditInput,
  ctx: OpContext,
  deployment: Deployment,
  lock: DeploymentLock,
): Promise<OpOutcome<EditResult>> {
  const touched = touchedBy(deployment, input.changes);
  ctx.progress({ step: 'reading DigitalOcean' });
  const plan = planEdit(deployment, input.changes, touched, await readEditWorld(ctx, deployment, touched));
  // A value set on a variable that is SECRET now stays SECRET: mask it before anything can log it.
  if (plan.app)
    ctx.log.redactor.addAll(secretValuesOf(plan.app.next.spec).filter((v) => !v.startsWith('EV[')));
  const steps = stepsOf(plan);
  const result: EditResult = {
    dry_run: input.dry_run,
    changes: changesOf(plan),
    plan: planJson(steps),
    plan_table: planTable(steps, 'edit'),
    applied: [],
    checks: [],
  };
  const outcome = (status: OpOutcome<EditResult>['status']): OpOutcome<EditResult> => ({
    status,
    deployment: deployment.slug,
    result,
    warnings: plan.warnings,
  });
  // Nothing changes until DigitalOcean has been asked about everything it could refuse: droplets it
  // would add must fit the account's droplet limit, the new app spec and droplet sizes must pass.
  const [limit, preflight] = await Promise.all([
    plan.droplets
      ? checkDropletLimit(
          ctx,
          plan.droplets.steps,
          plan.droplets.actual,
          plan.droplets.next.count,
          plan.warnings,
        )
      : undefined,
    preflightEdit(ctx, deployment, plan),
  ]);
  if (preflight.validated.length > 0) result.validated = preflight.validated;
  const refusals = [...(limit ? [limit] : []), ...preflight.refusals];
  if (refusals.length > 0) {
    result.refusals = refusals;
    result.failure = {
      kind: limit ? 'droplet_limit' : 'refused',
      detail:
        `The edit was not made, nothing was changed: ${refusals.map((r) => r.replace(/\.$/, '')).join('; ')}. ` +
        REFUSED_ADVICE,
    };
    return outcome('failed');
  }
  if (input.dry_run) return outcome(steps.length === 0 ? 'noop' : 'succeeded');
  if (!hasWork(plan)) return outcome('noop');

  // After waiting for another operation, plan again from what it left.
  if ((await lock.acquire()) === 'waited') return editLocked(input, ctx, deployment, lock);
  return outcome(await carryOut(ctx, deployment, input, plan, result));
}

/** Apply, wait, verify, retire what was replaced; on any failure restore. Fills `result`. */
async function carryOut(
  ctx: OpContext,
  deployment: Deployment,
  input: EditInput,
  plan: EditPlan,
  result: EditResult,
): Promise<OpOutcome<EditResult>['status']> {
  const fail = async (failure: NonNullable<EditResult['failure']>, attempted: Attempted) => {
    result.failure = failure;
    result.restore = await restoreEdit(ctx, deployment, plan, attempted);
    if (plan.droplets) {
      // DNS back on the droplets that serve again (a scale-down may have taken some out already).
      try {
        result.applied.push(...(await pointRecordsAt(ctx, deployment, plan.droplets.previous.names)));
      } catch (error) {
        if (!isToolError(error)) throw error;
        result.restore.ok = false;
        result.restore.details.push(`DNS not pointed back at the droplets: ${error.describe()}`);
      }
    }
    return 'failed' as const;
  };
  const next = plan.droplets?.next.names ?? [];
  const removing = (plan.droplets?.steps ?? []).some((s) => s.action === 'delete' && !s.deferred);
  if (removing) {
    // A scale-down: DNS lets go of the droplets that go before they are deleted.
    try {
      result.applied.push(...(await pointRecordsAt(ctx, deployment, next)));
    } catch (error) {
      if (!isToolError(error)) throw error;
      result.failure = { kind: 'dns', detail: `${error.describe()} Nothing was deleted.` };
      return 'failed';
    }
  }
  ctx.progress({ step: 'applying the edit', detail: result.changes.join('; ') });
  const applied = await applyEditPlan(ctx, deployment, plan);
  result.applied.push(...applied.applied);
  if (applied.error) return fail({ kind: 'apply', detail: applied.error.describe() }, applied.attempted);
  // The next call plans again from the droplets as it finds them and goes on (a rolling resize,
  // a scale-down whose droplets DigitalOcean still lists).
  const unfinished = unfinishedDropletUpdates(applied.applied) ?? unfinishedDeletions(ctx);
  if (unfinished) {
    result.progress = unfinished;
    return 'in_progress';
  }

  const settled = await settleEdit(ctx, deployment, plan, applied.attempted);
  if (settled.state === 'pending') {
    result.progress = { phase: 'waiting for DigitalOcean', detail: settled.detail };
    return 'in_progress';
  }
  if (settled.state === 'failed') {
    const { kind, detail, logs } = settled;
    return fail({ kind, detail, ...(logs ? { logs } : {}) }, applied.attempted);
  }
  result.checks = await verifyEdit(ctx, deployment, plan, input.changes);
  const bad = result.checks.filter((c) => !c.ok);
  if (bad.length > 0) {
    return fail(
      { kind: 'verify', detail: bad.map((c) => `${c.kind} ${c.name}: ${c.detail}`).join('; ') },
      applied.attempted,
    );
  }
  if (plan.droplets) {
    // Verified: DNS moves to the new or added droplets, before any droplet it pointed at goes.
    try {
      result.applied.push(...(await pointRecordsAt(ctx, deployment, next)));
    } catch (error) {
      if (!isToolError(error)) throw error;
      result.failure = {
        kind: 'dns',
        detail:
          `${error.describe()} The edit's droplets serve and the ones DNS points at are kept, ` +
          'so nothing answers from a deleted droplet: run edit or deploy again to move DNS.',
      };
      return 'failed';
    }
  }
  // Only now, verified, the droplets of a replaced generation go; their failing leaves extras, not a partial edit.
  const deferred = (plan.droplets?.steps ?? []).filter((s) => s.deferred);
  if (deferred.length > 0) {
    try {
      result.applied.push(...(await dropletsModule.apply(ctx, deployment, deferred)));
    } catch (error) {
      if (!isToolError(error)) throw error;
      plan.warnings.push(
        `The droplets the edit replaced were not all deleted (${error.describe()}): the next deploy or edit retires them.`,
      );
    }
    // Deleted, but DigitalOcean lists them until it has finished: the same edit again waits on.
    const retiring = unfinishedDeletions(ctx);
    if (retiring) {
      result.progress = retiring;
      return 'in_progress';
    }
  }
  return 'succeeded';
}

export const editOperation: Operation<EditInput, EditResult> = {
  name: 'edit',
  summary:
    'change a running deployment (scale, env, image, DNS records) as one verified unit, restored on failure',
  mutating: true,
  input: editInputSchema,
  run: edit,
  render: renderEdit,
};
