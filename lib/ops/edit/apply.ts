/**
 * Carrying out an edit: every part at once (app spec, droplets, records), then the platform's own
 * work watched within the deadline. Which parts were attempted decides what a restore undoes.
 */
import type { Deployment } from '../../config/manifest.js';
import { ApiError } from '../../do/index.js';
import { isToolError, type ToolError } from '../../errors.js';
import { appModule } from '../../resources/app/index.js';
import { domainModule } from '../../resources/domain/index.js';
import { dropletsModule } from '../../resources/droplets/index.js';
import type { AppliedStep, Readiness } from '../../resources/types.js';
import { waitFor } from '../../resources/wait.js';
import type { OpContext } from '../types.js';
import type { EditPlan } from './plan.js';

/** The parts whose state may have changed, so a restore must look at them. */
export interface Attempted {
  app: boolean;
  droplets: boolean;
  records: boolean;
}

export interface ApplyOutcome {
  applied: AppliedStep[];
  attempted: Attempted;
  /** The first failure, once every part has finished (so the audit holds all that happened). */
  error?: ToolError;
}

/** A clear refusal (4xx with an answer) changed nothing; anything else may have. */
function changedNothing(error: unknown): boolean {
  return error instanceof ApiError && !error.ambiguous && error.status >= 400 && error.status < 500;
}

export async function applyEditPlan(
  ctx: OpContext,
  deployment: Deployment,
  plan: EditPlan,
): Promise<ApplyOutcome> {
  const dropletSteps = (plan.droplets?.steps ?? []).filter((s) => !s.deferred);
  const recordSteps = plan.records?.steps ?? [];
  const appStep = plan.app?.step;
  const [app, droplets, records] = await Promise.allSettled([
    appStep ? appModule.apply(ctx, deployment, [appStep]) : [],
    dropletSteps.length > 0 ? dropletsModule.apply(ctx, deployment, dropletSteps) : [],
    recordSteps.length > 0 ? domainModule.apply(ctx, deployment, recordSteps) : [],
  ]);
  const parts = [app, droplets, records];
  const failed = parts.flatMap((p) => (p.status === 'rejected' ? [p.reason as unknown] : []));
  const internal = failed.find((e) => !isToolError(e));
  if (internal !== undefined) throw internal;
  return {
    applied: parts.flatMap((p) => (p.status === 'fulfilled' ? p.value : [])),
    attempted: {
      app: appStep !== undefined && !(app.status === 'rejected' && changedNothing(app.reason)),
      droplets: dropletSteps.length > 0,
      records: recordSteps.length > 0,
    },
    ...(failed.length > 0 ? { error: failed[0] as ToolError } : {}),
  };
}

export type Settled =
  | { state: 'ready' }
  | { state: 'pending'; detail: string }
  | { state: 'failed'; kind: string; detail: string; logs?: string };

/** Waits, in parallel, for the app's new deployment and the droplets; the first failure wins. */
export async function settleEdit(
  ctx: OpContext,
  deployment: Deployment,
  plan: EditPlan,
  attempted: Attempted,
): Promise<Settled> {
  const waits: Array<Promise<[string, Readiness]>> = [];
  const app = plan.app;
  if (app && (attempted.app || app.continuing)) {
    const check = () => appModule.readiness!(ctx, deployment, app.next);
    waits.push(waitFor(ctx, 'waiting for the app', check).then((s) => ['app', s]));
  }
  const droplets = plan.droplets;
  // Deferred steps alone (an earlier call's replacement still to retire) are waited for too.
  if (droplets && droplets.steps.length > 0) {
    const check = () => dropletsModule.readiness!(ctx, deployment, droplets.next);
    waits.push(waitFor(ctx, 'waiting for the droplets', check).then((s) => ['droplet', s]));
  }
  const states = await Promise.all(waits);
  for (const [kind, s] of states) {
    if (s.state === 'failed')
      return { state: 'failed', kind, detail: s.detail, ...(s.logs ? { logs: s.logs } : {}) };
  }
  const pending = states.flatMap(([kind, s]) => (s.state === 'pending' ? [`${kind}: ${s.detail}`] : []));
  return pending.length > 0 ? { state: 'pending', detail: pending.join('; ') } : { state: 'ready' };
}
