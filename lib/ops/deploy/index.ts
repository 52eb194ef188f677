import type { Deployment } from '../../config/manifest.js';
import { isToolError } from '../../errors.js';
import { type DeploymentLock, deploymentLock, holdingLock } from '../../lock/index.js';
import {
  type AppActual,
  isPublishedSecretWarning,
  ownershipOf,
  ownershipRefusal,
  publishedSecretWarnings,
} from '../../resources/app/index.js';
import { adoptingApp } from '../../resources/app/proof-options.js';
import { unfinishedDeletions } from '../../resources/droplets/deleted.js';
import type { ActualDroplets, DesiredDroplets } from '../../resources/droplets/index.js';
import { checkDropletLimit } from '../../resources/droplets/limit.js';
import { settleAll } from '../../resources/settle.js';
import type { AppliedStep, Check, PlanStep, Readiness } from '../../resources/types.js';
import { waitFor } from '../../resources/wait.js';
import {
  applyKind,
  changesOf,
  factsOf,
  type Kind,
  type KindPlan,
  kindsOf,
  moduleOf,
  planWorld,
  readWorld,
  unfinishedDropletUpdates,
  type World,
  warningsOf,
} from '../converge.js';
import { loadDeployment } from '../deployment.js';
import { pointRecordsAt } from '../dns-follow.js';
import { planJson, planTable } from '../plan-table.js';
import type { OpContext, Operation, OpOutcome } from '../types.js';
import { removeNewDroplets } from './failed-cleanup.js';
import { overrideImage } from './image-override.js';
import { type DeployInput, deployInputSchema } from './input.js';
import { renderDeploy } from './render.js';

export interface DeployResult {
  dry_run: boolean;
  plan: Omit<PlanStep, 'payload'>[];
  plan_table: string;
  applied: AppliedStep[];
  checks: Check[];
  /** Where it stopped when the deadline came, for the next call to continue from. */
  progress?: { phase: string; detail: string };
  /** With `progress`, when the deployment stays locked for the next call: give it as `resume` (lib/lock/hold.ts). */
  resume?: string;
  failure?: { kind: string; detail: string; logs?: string; cleanup?: string };
}

/** Deploy, edit and teardown of one deployment never interleave (lib/lock), not even between calls. */
async function deploy(input: DeployInput, ctx: OpContext): Promise<OpOutcome<DeployResult>> {
  const loaded = overrideImage(loadDeployment(ctx, input.env), {
    tag: input.image_tag,
    digest: input.image_digest,
  });
  const deployment = adoptingApp(loaded, input.adopt_app);
  const lock = deploymentLock(ctx, deployment.slug, { waitSeconds: input.lock_wait, resume: input.resume });
  return holdingLock(lock, input, () => runbook(input, ctx, deployment, lock));
}

/**
 * The deploy runbook: read everything, plan (pure), apply in dependency order with independent
 * chains in parallel, wait for the platform, point DNS, verify, then retire what was replaced.
 * Every phase reads DigitalOcean again, so a call after `in_progress` continues where it stopped.
 */
async function runbook(
  input: DeployInput,
  ctx: OpContext,
  deployment: Deployment,
  lock: DeploymentLock,
): Promise<OpOutcome<DeployResult>> {
  const kinds = kindsOf(deployment);
  ctx.progress({ step: 'reading DigitalOcean', detail: kinds.join(', ') });
  const world = await readWorld(ctx, deployment, kinds);
  const plans = planWorld(deployment, world, factsOf(world), kinds);
  const warnings = warningsOf(deployment, world, kinds, plans);
  // A SECRET this deploy is about to put live with the value the spec file publishes: said loudly.
  for (const w of publishedSecretWarnings((world.app as AppActual | undefined)?.app, deployment, {
    deploying: true,
  }))
    if (!warnings.includes(w)) warnings.push(w);
  const changes = changesOf(plans);
  const result: DeployResult = {
    dry_run: input.dry_run,
    plan: planJson(changes),
    plan_table: planTable(changes, 'deploy'),
    applied: [],
    checks: [],
  };
  const outcome = (status: OpOutcome<DeployResult>['status']): OpOutcome<DeployResult> => ({
    status,
    deployment: deployment.slug,
    result,
    warnings,
  });
  // An app with the deployment's name that the tool cannot prove it made: nothing changes at all.
  const unproven = unprovenApp(deployment, world);
  if (unproven) {
    result.failure = {
      kind: 'app_ownership',
      detail: `${deployment.slug} was not deployed, nothing was changed: ${unproven}`,
    };
    return outcome('failed');
  }
  // The account's droplet limit, before anything changes (a dry run says it too); read only when
  // droplets are to be created, so a deploy with nothing to create makes no extra call.
  const refusal = await dropletLimitRefusalOf(ctx, world, plans, warnings);
  if (refusal) {
    result.failure = {
      kind: 'droplet_limit',
      detail: `${deployment.slug} was not deployed, nothing was changed: ${refusal}`,
    };
    return outcome('failed');
  }
  if (input.dry_run) return outcome(changes.length === 0 ? 'noop' : 'succeeded');

  // After waiting for another operation, plan again from what it left.
  if (changes.length > 0 && (await lock.acquire()) === 'waited') return runbook(input, ctx, deployment, lock);
  const byKind = new Map(plans.map((p) => [p.kind, p]));
  let live = false;
  try {
    // A scale-down: DNS lets go of the droplets that go before phase 1 deletes them.
    const droplets = byKind.get('droplet');
    if (droplets?.steps.some((s) => s.action === 'delete' && !s.deferred)) {
      const names = (droplets.desired as DesiredDroplets | undefined)?.names ?? [];
      result.applied.push(...(await pointRecordsAt(ctx, deployment, names)));
    }
    // Phase 1: the registry (the app's image and the droplets' registry credential live there)
    // and the SSH key (droplets are created with it) first, then the app and the droplets side by
    // side; the firewall applies by tag, so it needs nothing. DNS waits for addresses (phase 3).
    const apply = (kind: Kind) => applyKind(ctx, deployment, byKind.get(kind), 'now');
    // Every branch's steps are recorded even when another fails: a failed app create must not hide
    // the droplets created beside it from the clean-up.
    const applied = result.applied;
    // The domain itself (its records wait for phase 3) goes with them: DigitalOcean refuses a
    // domain another account holds, and that should stop the deploy before anything is built.
    const domainOnly = domainCreateOnly(byKind.get('domain'));
    const first = settleAll(
      [apply('registry'), apply('ssh_key'), applyKind(ctx, deployment, domainOnly, 'now')],
      applied,
    );
    const chain = first.then(() => settleAll([apply('app'), apply('droplet')], applied)).then(() => []);
    await settleAll([chain, apply('firewall')], applied);
    const unfinished = unfinishedDropletUpdates(result.applied) ?? unfinishedDeletions(ctx);
    if (unfinished) {
      result.progress = unfinished;
      return outcome('in_progress');
    }

    // Phase 2: the platform's own work (builds, boots), watched within the deadline.
    const waiting = await settle(ctx, deployment, byKind);
    if (waiting.state === 'pending') {
      result.progress = { phase: 'waiting for DigitalOcean', detail: waiting.detail };
      return outcome('in_progress');
    }
    if (waiting.state === 'failed') {
      result.failure = {
        kind: waiting.kind,
        detail: waiting.detail,
        ...(waiting.logs ? { logs: waiting.logs } : {}),
      };
      result.failure.cleanup = await removeNewDroplets(
        ctx,
        deployment,
        world,
        result.applied,
        input.keep_failed,
      );
      return outcome('failed');
    }

    // Phase 3: DNS now that addresses and the app's host exist, then verification.
    const fresh = await readWorld(ctx, deployment, kinds);
    const final = planWorld(deployment, fresh, factsOf(fresh), kinds);
    const freshWarnings = warningsOf(deployment, fresh, kinds, final);
    // A published SECRET this deploy replaced is no longer live: only what holds now is said.
    for (let i = warnings.length - 1; i >= 0; i--) {
      if (isPublishedSecretWarning(warnings[i]!) && !freshWarnings.includes(warnings[i]!))
        warnings.splice(i, 1);
    }
    for (const w of freshWarnings) if (!warnings.includes(w)) warnings.push(w);
    const domain = final.find((p) => p.kind === 'domain');
    if (changesOf(final).length > 0 && (await lock.acquire()) === 'waited')
      return await runbook(input, ctx, deployment, lock);
    // From here DNS may point at the new droplets: a later failure must not take them away.
    live = true;
    result.applied.push(...(await applyKind(ctx, deployment, domain, 'now')));
    result.checks = await verifyAll(ctx, deployment, final);
    const failed = result.checks.filter((c) => !c.ok);
    // Checks cut short by the deadline, or still waiting on DigitalOcean (a custom domain being
    // validated) when it came, prove nothing either way: the next call verifies again.
    if (failed.length > 0 && (ctx.deadline.expired() || failed.every((c) => c.pending))) {
      const detail = failed.map((c) => `${c.kind} ${c.name}${c.pending ? `: ${c.detail}` : ''}`).join('; ');
      result.progress = { phase: 'verifying', detail };
      result.checks = result.checks.filter((c) => c.ok);
      return outcome('in_progress');
    }
    if (failed.length > 0) {
      result.failure = {
        kind: failed[0]!.kind,
        detail: failed.map((c) => `${c.kind} ${c.name}: ${c.detail}`).join('; '),
      };
      return outcome('failed');
    }
    // Phase 4: only now retire what the new state replaced (old droplet generations), and see them gone.
    for (const plan of final) result.applied.push(...(await applyKind(ctx, deployment, plan, 'deferred')));
    const retiring = unfinishedDeletions(ctx);
    if (retiring) {
      result.progress = retiring;
      return outcome('in_progress');
    }
  } catch (error) {
    if (!isToolError(error)) throw error;
    result.failure = { kind: 'apply', detail: error.describe() };
    result.failure.cleanup = live
      ? 'the new droplets are serving and kept; what was not retired or pointed at yet is finished by the next deploy'
      : await removeNewDroplets(ctx, deployment, world, result.applied, input.keep_failed);
    return outcome('failed');
  }
  // A call that continues a deploy cut short (its resume token) finishes that deploy, even when all
  // that was left was waiting and verifying (an app's custom domain being validated).
  return outcome(result.applied.length === 0 && !input.resume ? 'noop' : 'succeeded');
}

/** The refusal of an app with the deployment's name but no proof of ownership (lib/resources/app/ownership.ts). */
function unprovenApp(deployment: Deployment, world: World): string | undefined {
  const app = (world.app as AppActual | undefined)?.app;
  if (!app || !deployment.app) return undefined;
  const ownership = ownershipOf(app, deployment.app.spec, deployment.appProof?.adopt);
  return ownership.state === 'unproven' ? ownershipRefusal(app, ownership.why, 'deploy') : undefined;
}

/** The domain's create step alone, if it has one. */
function domainCreateOnly(plan: KindPlan | undefined): KindPlan | undefined {
  return plan && { ...plan, steps: plan.steps.filter((s) => s.kind === 'domain' && s.action === 'create') };
}

/** The droplet limit's refusal of the plan, if it creates droplets beyond it (lib/resources/droplets/limit.ts). */
async function dropletLimitRefusalOf(
  ctx: OpContext,
  world: World,
  plans: readonly KindPlan[],
  warnings: string[],
): Promise<string | undefined> {
  const plan = plans.find((p) => p.kind === 'droplet');
  const actual = world.droplet as ActualDroplets | undefined;
  if (!plan || !actual) return undefined;
  const count = (plan.desired as DesiredDroplets | undefined)?.count ?? 0;
  return checkDropletLimit(ctx, plan.steps, actual, count, warnings);
}

type Settled =
  | { state: 'ready' }
  | { state: 'pending'; detail: string }
  | { state: 'failed'; kind: string; detail: string; logs?: string };

/** Waits for every kind that has a readiness check, in parallel; the first failure wins. */
async function settle(ctx: OpContext, deployment: Deployment, plans: Map<Kind, KindPlan>): Promise<Settled> {
  const waits = [...plans.values()]
    .filter((p) => moduleOf(p.kind).readiness)
    .map(async (p): Promise<[Kind, Readiness]> => {
      const check = () => moduleOf(p.kind).readiness!(ctx, deployment, p.desired);
      return [p.kind, await waitFor(ctx, `waiting for ${p.kind.replace('_', ' ')}`, check)];
    });
  const states = await Promise.all(waits);
  const failed = states.find(([, s]) => s.state === 'failed');
  if (failed && failed[1].state === 'failed') {
    return {
      state: 'failed',
      kind: failed[0],
      detail: failed[1].detail,
      ...(failed[1].logs ? { logs: failed[1].logs } : {}),
    };
  }
  const pending = states.filter(([, s]) => s.state === 'pending');
  if (pending.length > 0) {
    return {
      state: 'pending',
      detail: pending.map(([kind, s]) => `${kind}: ${s.state === 'pending' ? s.detail : ''}`).join('; '),
    };
  }
  return { state: 'ready' };
}

async function verifyAll(
  ctx: OpContext,
  deployment: Deployment,
  plans: readonly KindPlan[],
): Promise<Check[]> {
  const checks = await Promise.all(plans.map((p) => moduleOf(p.kind).verify(ctx, deployment, p.desired)));
  return checks.flat();
}

export const deployOperation: Operation<DeployInput, DeployResult> = {
  name: 'deploy',
  summary:
    'converge the deployment to deployment.yml (registry, app, droplets, DNS, firewall) and verify it is live',
  mutating: true,
  input: deployInputSchema,
  run: deploy,
  render: renderDeploy,
};
