/**
 * Before an edit changes anything, DigitalOcean is asked what it would refuse — the new app spec
 * through App Platform's propose, the droplets' new size against the size catalog and their disks,
 * records against its CNAME rule —
 * so a change that cannot be made is refused whole, instead of being found half-way (droplets
 * already resized and power-cycled, then power-cycled again to restore). Reads only; the droplet
 * limit is checked beside it (lib/resources/droplets/limit.ts).
 */
import type { Deployment } from '../../config/manifest.js';
import { readSizeCatalog, sizeRefusals } from '../../resources/droplets/size-check.js';
import type { OpContext } from '../types.js';
import { proposeAppSpec } from './app-propose.js';
import type { EditPlan } from './plan.js';
import { cnameRefusals } from './records-edit.js';

/** What to do about a change set DigitalOcean refuses. */
export const REFUSED_ADVICE =
  'Change what is refused and run the edit again (--dry-run asks DigitalOcean again without changing anything).';

export interface Preflight {
  /** What DigitalOcean would refuse, one sentence each; empty when nothing is. */
  refusals: string[];
  /** What was checked and accepted, for the report (`app …: DigitalOcean accepts the new spec …`). */
  validated: string[];
}

async function appPart(ctx: OpContext, plan: EditPlan): Promise<Preflight> {
  const step = plan.app?.step;
  if (!plan.app || !step?.id) return { refusals: [], validated: [] };
  const proposal = await proposeAppSpec(ctx, { id: step.id, name: step.name }, plan.app.next.spec);
  if (!proposal.accepted) return { refusals: [`app ${step.name}: ${proposal.why}`], validated: [] };
  const cost = proposal.monthlyUsd === undefined ? '' : ` (it would cost $${proposal.monthlyUsd} a month)`;
  return { refusals: [], validated: [`app ${step.name}: DigitalOcean accepts the new spec${cost}`] };
}

async function dropletPart(ctx: OpContext, deployment: Deployment, plan: EditPlan): Promise<Preflight> {
  const edit = plan.droplets;
  const sized = (edit?.steps ?? []).some(
    (s) => (s.action === 'create' && !s.deferred) || (s.action === 'update' && s.payload?.type === 'resize'),
  );
  if (!edit || !sized) return { refusals: [], validated: [] };
  const refusals = sizeRefusals(edit.steps, edit.actual, await readSizeCatalog(ctx));
  const validated =
    refusals.length === 0
      ? [
          `droplets of ${deployment.slug}: size ${edit.next.size} is offered in ${edit.next.region} and fits their disks`,
        ]
      : [];
  return { refusals, validated };
}

/** Every refusal at once, the app's and the droplets' asked side by side. */
export async function preflightEdit(
  ctx: OpContext,
  deployment: Deployment,
  plan: EditPlan,
): Promise<Preflight> {
  ctx.progress({ step: 'checking the edit with DigitalOcean' });
  const records: Preflight = { refusals: plan.records ? cnameRefusals(plan.records) : [], validated: [] };
  const parts = [records, ...(await Promise.all([appPart(ctx, plan), dropletPart(ctx, deployment, plan)]))];
  return {
    refusals: parts.flatMap((p) => p.refusals),
    validated: parts.flatMap((p) => p.validated),
  };
}
