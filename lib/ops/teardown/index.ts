import type * as z from 'zod';
import { booleanParamSchema, commonInputSchema } from '../../config/input.js';
import type { Deployment } from '../../config/manifest.js';
import { isToolError } from '../../errors.js';
import { type DeploymentLock, deploymentLock, lockInputShape } from '../../lock/index.js';
import { destroyRegistry } from '../../resources/registry/index.js';
import type { AppliedStep, PlanStep } from '../../resources/types.js';
import { type Kind, kindsOf, moduleOf, readWorld, type World, warningsOf } from '../converge.js';
import { loadDeployment } from '../deployment.js';
import { planJson, planTable } from '../plan-table.js';
import type { OpContext, Operation, OpOutcome } from '../types.js';

const teardownInputSchema = commonInputSchema.extend({
  /** The registry is the account's, shared by every environment: deleted only when asked. */
  include_registry: booleanParamSchema.default(false),
  /** Seconds to wait while another deploy, edit or teardown holds the deployment. */
  ...lockInputShape,
});
export type TeardownInput = z.output<typeof teardownInputSchema>;

export interface TeardownResult {
  dry_run: boolean;
  plan: Omit<PlanStep, 'payload'>[];
  plan_table: string;
  applied: AppliedStep[];
  /** Owned resources still found after deleting (should be none). */
  remaining: Omit<PlanStep, 'payload'>[];
  failure?: string;
}

/** Deletion order: what points at others first, so nothing dangles for long. */
const ORDER: readonly Kind[] = ['domain', 'app', 'firewall', 'droplet', 'ssh_key', 'registry'];

/**
 * Finds everything the deployment owns (by tag and exact names, never by prefix), deletes it with
 * bulk endpoints where DigitalOcean has them, then reads again to prove nothing owned remains.
 * The control plane (Functions namespace, functions, triggers) is not a resource of the deployment.
 */
async function teardown(
  input: TeardownInput,
  ctx: OpContext,
  held?: DeploymentLock,
): Promise<OpOutcome<TeardownResult>> {
  const deployment = loadDeployment(ctx, input.env);
  const kinds = kindsOf(deployment).sort((a, b) => ORDER.indexOf(a) - ORDER.indexOf(b));
  ctx.progress({ step: 'reading DigitalOcean', detail: kinds.join(', ') });
  const world = await readWorld(ctx, deployment, kinds);
  const warnings = warningsOf(deployment, world, kinds);
  const steps = destroySteps(deployment, world, kinds, input.include_registry);
  const result: TeardownResult = {
    dry_run: input.dry_run,
    plan: planJson(steps),
    plan_table: planTable(steps),
    applied: [],
    remaining: [],
  };
  const outcome = (status: OpOutcome<TeardownResult>['status']): OpOutcome<TeardownResult> => ({
    status,
    deployment: deployment.slug,
    result,
    warnings,
  });
  if (steps.length === 0) return outcome('noop');
  if (input.dry_run) return outcome('succeeded');

  // Never interleaved with a deploy or edit (lib/lock); after waiting, read again what is left.
  const lock = held ?? deploymentLock(ctx, deployment.slug, { waitSeconds: input.lock_wait });
  try {
    if ((await lock.acquire()) === 'waited') return await teardown(input, ctx, lock);
    return outcome(await destroyAll(ctx, deployment, kinds, steps, input.include_registry, result));
  } finally {
    if (!held) await lock.release();
  }
}

/** Deletes, then reads again; the status, with `result` filled in. */
async function destroyAll(
  ctx: OpContext,
  deployment: Deployment,
  kinds: readonly Kind[],
  steps: readonly PlanStep[],
  includeRegistry: boolean,
  result: TeardownResult,
): Promise<OpOutcome<TeardownResult>['status']> {
  // Kinds are independent once DNS stops pointing at them: delete them all at once.
  const byKind = new Map<Kind, PlanStep[]>();
  for (const step of steps) {
    const kind = step.kind === 'record' ? 'domain' : (step.kind as Kind);
    byKind.set(kind, [...(byKind.get(kind) ?? []), step]);
  }
  const errors: string[] = [];
  const settled = await Promise.allSettled(
    [...byKind].map(async ([kind, kindSteps]) => moduleOf(kind).apply(ctx, deployment, kindSteps)),
  );
  for (const s of settled) {
    if (s.status === 'fulfilled') result.applied.push(...s.value);
    else errors.push(isToolError(s.reason) ? s.reason.describe() : String(s.reason));
  }

  const after = await readWorld(ctx, deployment, kinds);
  result.remaining = planJson(destroySteps(deployment, after, kinds, includeRegistry));
  if (errors.length > 0 || result.remaining.length > 0) {
    result.failure = [
      ...errors,
      ...(result.remaining.length
        ? [`${result.remaining.length} owned resource(s) remain: run teardown again`]
        : []),
    ].join(' ');
    return 'failed';
  }
  return 'succeeded';
}

function destroySteps(
  deployment: Deployment,
  world: World,
  kinds: readonly Kind[],
  includeRegistry: boolean,
): PlanStep[] {
  return kinds.flatMap((kind) => {
    if (kind === 'registry') {
      return destroyRegistry(world.registry as never, {
        include: includeRegistry,
        name: deployment.registry?.name ?? '',
      });
    }
    return moduleOf(kind).destroy(world[kind]);
  });
}

export const teardownOperation: Operation<TeardownInput, TeardownResult> = {
  name: 'teardown',
  summary: 'delete everything the deployment owns and verify nothing owned remains (the control plane stays)',
  mutating: true,
  input: teardownInputSchema,
  run: teardown,
  render: (report) =>
    [
      report.result.dry_run ? 'Would delete (dry run):' : 'Deleted:',
      report.result.plan_table,
      ...(report.result.failure ? ['', `Failed: ${report.result.failure}`] : []),
    ].join('\n'),
};
