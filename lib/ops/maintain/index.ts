import type { Deployment } from '../../config/manifest.js';
import { isToolError } from '../../errors.js';
import { deploymentLock } from '../../lock/index.js';
import type { AppActual } from '../../resources/app/index.js';
import type { ActualDroplets } from '../../resources/droplets/index.js';
import type { Check } from '../../resources/types.js';
import { factsOf, type Kind, kindsOf, planWorld, readWorld, type World, warningsOf } from '../converge.js';
import { loadDeployment } from '../deployment.js';
import type { OpContext, Operation, OpOutcome, OpStatus } from '../types.js';
import { isNotDeployed, notDeployedAdvice } from './absent.js';
import { type Classified, classifyDrift, dropletRecords } from './drift.js';
import { bootWait, healthChecks } from './health.js';
import { adoptDeployedImage } from './image.js';
import { type MaintainInput, maintainInputSchema } from './input.js';
import { withPowerOns } from './power-on.js';
import { findGarbage, type GarbagePlan, garbageReport } from './registry-gc.js';
import { renderMaintain } from './render.js';
import { isDeadlinePassed, type RepairWork, repairAndClean } from './repair.js';
import type { DriftEntry, MaintainResult } from './types.js';

export type { DriftEntry, GarbageReport, MaintainResult, Treatment } from './types.js';

/** Everything found by reading: the deployment as deployed, its drift, health and garbage. */
interface Survey {
  deployment: Deployment;
  kinds: Kind[];
  world: World;
  drift: DriftEntry[];
  classified: Classified;
  health: Check[];
  /**
   * The deadline had passed when the health checks returned: probes it aborted failed for want of
   * time, which says nothing about what serves.
   */
  healthCutShort: boolean;
  warnings: string[];
  /** Droplets of the deployment still booting (a deploy, or an earlier repair, made them). */
  booting?: string;
  /** Untagged registry manifests, when clean-up is on. */
  garbage?: GarbagePlan;
}

/** The world as read, with the deployed image adopted, planned and sorted (pure past the reads). */
async function look(ctx: OpContext, manifest: Deployment, kinds: Kind[]) {
  const world = await readWorld(ctx, manifest, kinds);
  const adopted = await adoptDeployedImage(ctx, manifest, world);
  const deployment = adopted.deployment;
  const plans = withPowerOns(
    planWorld(deployment, world, factsOf(world), kinds),
    world.droplet as ActualDroplets | undefined,
  );
  return { world, adopted, deployment, plans, classified: classifyDrift(plans, dropletRecords(deployment)) };
}

async function survey(ctx: OpContext, manifest: Deployment, cleanup: boolean): Promise<Survey> {
  const kinds = kindsOf(manifest);
  ctx.progress({ step: 'reading DigitalOcean', detail: kinds.join(', ') });
  let seen = await look(ctx, manifest, kinds);
  const boot = await bootWait(ctx, seen.deployment, seen.world, seen.plans);
  // Droplets that finished booting have addresses now, which DNS is planned from: read again.
  if (boot && boot.state !== 'pending') seen = await look(ctx, manifest, kinds);
  const { world, deployment, plans, classified } = seen;
  const garbage = cleanup ? await findGarbage(ctx, deployment, world) : undefined;
  const health = await healthChecks(ctx, deployment, world, plans);
  return {
    deployment,
    kinds,
    world,
    drift: [...seen.adopted.drift, ...classified.drift],
    classified,
    health,
    healthCutShort: isDeadlinePassed(ctx),
    warnings: warningsOf(deployment, world, kinds, plans),
    ...(boot?.state === 'pending' ? { booting: boot.detail } : {}),
    ...(garbage ? { garbage } : {}),
  };
}

const dropletsHealthy = (health: readonly Check[]) =>
  health.filter((c) => c.kind === 'droplet').every((c) => c.ok);

function adviceFor(result: MaintainResult, skipped: number): string[] {
  const reported = result.remaining.filter((d) => d.treatment === 'report');
  return [
    ...(reported.some((d) => d.kind === 'app')
      ? ['The app differs from deployment.yml and maintain never redeploys it: run deploy to converge it.']
      : []),
    ...(reported.some((d) => d.kind !== 'app')
      ? ['Some drift is only reported (each entry says why): run deploy to converge it.']
      : []),
    ...(result.report_only && skipped > 0
      ? [`report_only: ${skipped} repair(s) or clean-up(s) not made; run maintain without it to make them.`]
      : []),
  ];
}

function statusOf(result: MaintainResult): OpStatus {
  if (result.failure) return 'failed';
  if (result.progress) return 'in_progress';
  if (result.health.some((c) => !c.ok)) return 'failed';
  const acted = result.repaired.length + result.cleaned.length > 0 || result.registry_gc?.state === 'started';
  return result.clean && !acted ? 'noop' : 'succeeded';
}

/** Where a run stopped whose failing health checks the deadline cut short, if it did. */
function cutShort(found: Survey): MaintainResult['progress'] {
  if (!found.healthCutShort || found.health.every((c) => c.ok)) return undefined;
  return {
    phase: 'checking health',
    detail: 'the deadline passed before every health check had answered; the next run checks again',
  };
}

/** An app deployment still building or deploying: some operation's work is under way. */
function convergingOf(found: Survey): string | undefined {
  const app = (found.world.app as AppActual | undefined)?.app;
  return app?.inProgress ? `App deployment ${app.inProgress.id} is ${app.inProgress.phase}` : undefined;
}

/** What stops the old generation's clean-up, when something does. */
function cleanupHold(input: MaintainInput, found: Survey): string | undefined {
  if (found.classified.cleanup.length === 0) return undefined;
  if (!input.cleanup) return 'cleanup is off: the old droplet generation is kept.';
  if (!dropletsHealthy(found.health)) {
    return 'The old droplet generation is kept until the current one is healthy.';
  }
  return undefined;
}

/** The report of what a survey found, before anything is done about it. */
function reportOf(
  found: Survey,
  reportOnly: boolean,
  cleanup: boolean,
  hold: string | undefined,
): MaintainResult {
  return {
    report_only: reportOnly,
    cleanup,
    clean: found.drift.length === 0 && !found.garbage,
    drift: found.drift,
    health: found.health,
    repaired: [],
    cleaned: [],
    ...(found.garbage ? { registry_gc: garbageReport(found.garbage, reportOnly) } : {}),
    remaining: found.drift,
    advice: hold ? [hold] : [],
  };
}

/** What a survey leaves to do: repairs, the old generation's clean-up, a garbage collection. */
function workOf(input: MaintainInput, found: Survey): RepairWork & { count: number; hold?: string } {
  const hold = cleanupHold(input, found);
  const cleanup = hold ? [] : found.classified.cleanup;
  const garbage = found.garbage;
  const collect = garbage && !garbage.blocked && !garbage.running ? garbage : undefined;
  const repairs = found.classified.repairs;
  return {
    deployment: found.deployment,
    kinds: found.kinds,
    repairs,
    cleanup,
    garbage: collect,
    count: repairs.flatMap((p) => p.steps).length + cleanup.length + (collect ? 1 : 0),
    ...(hold ? { hold } : {}),
  };
}

/**
 * The maintain runbook: read, adopt the deployed image, plan (pure), check health; then, unless
 * report_only, take the deployment lock (never waiting, unless lock_wait says so), repair what is
 * safe and clean up what an interrupted deploy or a push left; then read and check again. A clean
 * deployment costs reads only, and no lock.
 */
async function maintain(input: MaintainInput, ctx: OpContext): Promise<OpOutcome<MaintainResult>> {
  const reportOnly = input.report_only || input.dry_run;
  const manifest = loadDeployment(ctx, input.env);
  let found = await survey(ctx, manifest, input.cleanup);
  let work = workOf(input, found);
  let result = reportOf(found, reportOnly, input.cleanup, work.hold);
  const warnings = [...found.warnings];
  if (isNotDeployed(found.world, found.kinds)) {
    result = { ...result, health: [], advice: [notDeployedAdvice(manifest.slug)] };
    return { status: 'noop', deployment: manifest.slug, result, warnings };
  }
  // The survey whose health the result reports: the first, or the one after the repairs.
  let checked = found;
  const outcome = (skipped: number): OpOutcome<MaintainResult> => {
    if (!result.progress && !result.failure) {
      const progress = cutShort(checked);
      if (progress) result.progress = progress;
    }
    result.advice.push(...adviceFor(result, skipped));
    return { status: statusOf(result), deployment: manifest.slug, result, warnings };
  };
  if (found.booting) {
    result.progress = { phase: 'waiting for droplets to boot', detail: found.booting };
    return outcome(work.count);
  }
  const converging = convergingOf(found);
  if (converging && work.count > 0) {
    // A deploy or edit between two of its calls (its paused lock, or none once its lease ran out,
    // while DigitalOcean builds): what looks stale now may be what it is replacing, so nothing is
    // repaired or cleaned. A paused lock alone makes the acquire below stand back too.
    result.advice.push(
      `${converging}: an operation is converging, so maintain changes nothing until it finishes.`,
    );
    return outcome(0);
  }
  if (reportOnly || work.count === 0) return outcome(work.count);

  const lock = deploymentLock(ctx, manifest.slug, { waitSeconds: input.lock_wait ?? 0 });
  try {
    if ((await lock.acquire()) === 'waited') {
      // Another operation changed the deployment meanwhile: judge again what it left.
      found = await survey(ctx, manifest, input.cleanup);
      checked = found;
      work = workOf(input, found);
      result = reportOf(found, reportOnly, input.cleanup, work.hold);
    }
  } catch (error) {
    if (!isToolError(error) || error.kind !== 'conflict') throw error;
    result.advice.push(`Nothing was repaired: ${error.describe()} The next maintain run repairs it.`);
    return outcome(0);
  }
  try {
    if (found.booting) result.progress = { phase: 'waiting for droplets to boot', detail: found.booting };
    else if (work.count > 0) Object.assign(result, await repairAndClean(ctx, work));
  } finally {
    await lock.release();
  }
  if (result.progress || result.failure) return outcome(0);
  const after = await survey(ctx, manifest, false);
  checked = after;
  result.health = after.health;
  result.remaining = after.drift;
  for (const w of after.warnings) if (!warnings.includes(w)) warnings.push(w);
  if (after.booting) result.progress = { phase: 'waiting for droplets to boot', detail: after.booting };
  return outcome(0);
}

export const maintainOperation: Operation<MaintainInput, MaintainResult> = {
  name: 'maintain',
  summary:
    'check health, report drift from deployment.yml, repair what is safe (droplets, DNS, firewall) and clean up stale resources',
  mutating: true,
  input: maintainInputSchema,
  run: maintain,
  render: renderMaintain,
};
