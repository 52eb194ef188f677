import type * as z from 'zod';
import { booleanParamSchema, commonInputSchema } from '../../config/input.js';
import type { Deployment } from '../../config/manifest.js';
import { isToolError } from '../../errors.js';
import {
  continueAdvice,
  type DeploymentLock,
  deploymentLock,
  holdingLock,
  lockInputShape,
  readLockKey,
  resumeInputShape,
} from '../../lock/index.js';
import { type AppActual, destroyApp } from '../../resources/app/index.js';
import { adoptingApp } from '../../resources/app/proof-options.js';
import { unfinishedDeletions } from '../../resources/droplets/deleted.js';
import type { ActualDroplets } from '../../resources/droplets/index.js';
import { destroyRegistry } from '../../resources/registry/index.js';
import type { AppliedStep, PlanStep } from '../../resources/types.js';
import { type Kind, kindsOf, moduleOf, readWorld, type World, warningsOf } from '../converge.js';
import { loadDeployment } from '../deployment.js';
import { planJson, planTable } from '../plan-table.js';
import type { OpContext, Operation, OpOutcome } from '../types.js';
import {
  foundLock,
  leftoverLockSteps,
  removeLeftoverLock,
  runningWarning,
  waitedWarning,
} from './lock-leftover.js';
import { readTeardownTags, removeTeardownTags } from './tags.js';

const teardownInputSchema = commonInputSchema.extend({
  /** The registry is the account's, shared by every environment: deleted only when asked. */
  include_registry: booleanParamSchema.default(false),
  /**
   * Delete the app that has the deployment's name even without proof that this tool made it
   * (lib/resources/app/ownership.ts); without it, such an app is left alone and reported.
   */
  adopt_app: booleanParamSchema.default(false),
  /** Seconds to wait while another deploy, edit or teardown holds the deployment. */
  ...lockInputShape,
  /** The token an in_progress answer gave: continue under the lock it kept. */
  ...resumeInputShape,
});
export type TeardownInput = z.output<typeof teardownInputSchema>;

export interface TeardownResult {
  dry_run: boolean;
  plan: Omit<PlanStep, 'payload'>[];
  plan_table: string;
  applied: AppliedStep[];
  /**
   * Owned resources still found after deleting (should be none). The lock is not among them: this
   * teardown holds it then, and releases it right after.
   */
  remaining: Omit<PlanStep, 'payload'>[];
  /** When the deployment stays locked for the next call (an in_progress answer): give it as `resume`. */
  resume?: string;
  /** With `in_progress`: what it was waiting for when the deadline came (droplets still being deleted). */
  progress?: { phase: string; detail: string };
  failure?: string;
}

/** Deletion order: what points at others first, so nothing dangles for long. */
const ORDER: readonly Kind[] = ['domain', 'app', 'firewall', 'droplet', 'ssh_key', 'registry'];

/**
 * Kinds found by the deployment's name and tags alone: torn down even when deployment.yml no longer
 * has their section (removed after a deploy), so nothing billed stays behind. A domain needs its
 * name from the manifest; the registry is the account's.
 */
const FOUND_BY_NAME: readonly Kind[] = ['app', 'firewall', 'droplet', 'ssh_key'];

function teardownKinds(deployment: Deployment): Kind[] {
  return [...new Set([...kindsOf(deployment), ...FOUND_BY_NAME])].sort(
    (a, b) => ORDER.indexOf(a) - ORDER.indexOf(b),
  );
}

/**
 * Finds everything the deployment owns (by tag and exact names, never by prefix), deletes it with
 * bulk endpoints where DigitalOcean has them, then reads again to prove nothing owned remains.
 * A lock left by a run that stopped before releasing it goes too (./lock-leftover.ts).
 * The control plane (Functions namespace, functions, triggers) is not a resource of the deployment.
 */
async function teardown(input: TeardownInput, ctx: OpContext): Promise<OpOutcome<TeardownResult>> {
  const deployment = adoptingApp(loadDeployment(ctx, input.env), input.adopt_app);
  const lock = deploymentLock(ctx, deployment.slug, { waitSeconds: input.lock_wait, resume: input.resume });
  return holdingLock(lock, input, () => teardownLocked(input, ctx, deployment, lock));
}

async function teardownLocked(
  input: TeardownInput,
  ctx: OpContext,
  deployment: Deployment,
  lock: DeploymentLock,
): Promise<OpOutcome<TeardownResult>> {
  const slug = deployment.slug;
  const kinds = teardownKinds(deployment);
  ctx.progress({ step: 'reading DigitalOcean', detail: [...kinds, 'lock'].join(', ') });
  const [world, lockKey] = await Promise.all([readWorld(ctx, deployment, kinds), readLockKey(ctx, slug)]);
  const found = foundLock(lockKey, lock.holder, ctx.clock.now());
  const warnings = warningsOf(deployment, world, kinds);
  const owned = destroySteps(deployment, world, kinds, input.include_registry);
  const tags = await readTeardownTags(ctx, slug, ownedDropletCount(world));
  const steps = [...owned, ...leftoverLockSteps(slug, found), ...tags];
  const result: TeardownResult = {
    dry_run: input.dry_run,
    plan: planJson(steps),
    plan_table: planTable(steps, 'teardown'),
    applied: [],
    remaining: [],
  };
  const outcome = (status: OpOutcome<TeardownResult>['status']): OpOutcome<TeardownResult> => ({
    status,
    deployment: slug,
    result,
    warnings,
  });
  // A live lock means an operation is running: nothing left now proves nothing left once it is done.
  if (steps.length === 0 && found.state !== 'held') return outcome('noop');
  if (input.dry_run) {
    if (found.state === 'held') warnings.push(runningWarning(slug, found.key));
    return outcome(steps.length === 0 ? 'noop' : 'succeeded');
  }

  let running = found.state === 'held' ? found.key : undefined;
  if (found.state === 'expired') {
    // Removed before taking the lock, so taking it finds it free and the removal is listed.
    const { removal, applied } = await removeLeftoverLock(ctx, slug, found);
    result.applied.push(applied);
    if (removal === 'renewed') running = found.key;
    // Deleted by id (never reused): a lock key there now would be a new, live holder's, not a leftover.
    else if (owned.length === 0 && tags.length === 0)
      return outcome(removal === 'removed' ? 'succeeded' : 'noop');
  }

  // Never interleaved with a deploy or edit (lib/lock); after waiting, read again what is left.
  if ((await lock.acquire()) === 'waited' || running)
    return afterWaiting(
      await teardownLocked(input, ctx, deployment, lock),
      result.applied,
      running && waitedWarning(slug, running),
    );
  const status = await destroyAll(ctx, deployment, kinds, owned, input.include_registry, result);
  // The tags go last, once every resource that carried them is verified gone.
  if (status === 'succeeded') result.applied.push(...(await removeTeardownTags(ctx, slug, tags)));
  return outcome(status);
}

/** The droplets this teardown deletes, whose tags it frees (those being deleted already too). */
function ownedDropletCount(world: World): number {
  const droplets = world.droplet as ActualDroplets | undefined;
  return (droplets?.owned.length ?? 0) + (droplets?.deleting?.length ?? 0);
}

/** The run that read again once the lock was free, with what the first one did and why it waited. */
function afterWaiting(
  next: OpOutcome<TeardownResult>,
  applied: readonly AppliedStep[],
  warning: string | undefined,
): OpOutcome<TeardownResult> {
  next.result.applied.unshift(...applied);
  const changed = applied.some((a) => a.outcome === 'ok');
  return {
    ...next,
    status: next.status === 'noop' && changed ? 'succeeded' : next.status,
    warnings: [...(next.warnings ?? []), ...(warning ? [warning] : [])],
  };
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
  // Droplets stay listed for a while after their delete; the deadline came before they were gone.
  const deleting = unfinishedDeletions(ctx);
  if (deleting && errors.length === 0) {
    result.progress = deleting;
    return 'in_progress';
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
    // Only an app the tool can prove is the deployment's; another is reported by its warnings.
    if (kind === 'app') {
      return destroyApp(world.app as AppActual | undefined, {
        desired: deployment.app?.spec,
        adopt: deployment.appProof?.adopt,
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
      ...(report.status === 'in_progress'
        ? [
            '',
            ...(report.result.progress
              ? [`Still ${report.result.progress.phase}: ${report.result.progress.detail}`]
              : []),
            continueAdvice('teardown', report.result.resume),
          ]
        : []),
      ...(report.result.failure ? ['', `Failed: ${report.result.failure}`] : []),
    ].join('\n'),
};
