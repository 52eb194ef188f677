import type { AppRecord, DeploymentRecord, Phase } from './model.js';

/**
 * A deployment's life derived from virtual time: pending, building, pending again, deploying,
 * then active until a newer deployment goes live. Nothing runs on timers; every read computes
 * the phase for "now".
 */
export interface Marks {
  buildStart: number;
  buildEnd: number;
  deployStart: number;
  deployEnd: number;
}

export function marks(d: DeploymentRecord): Marks {
  const { pending, build, deploy } = d.timing;
  const buildStart = d.createdAt + pending;
  const buildEnd = buildStart + build;
  const deployStart = buildEnd + pending;
  return { buildStart, buildEnd, deployStart, deployEnd: deployStart + deploy };
}

/** Fraction of the deploy phase after which the health-check wait ends (finalize follows). */
export const WAIT_END = 0.9;

/** When the deployment's failure shows: end of the build, or end of the health-check wait. */
export function failureAt(d: DeploymentRecord): number | undefined {
  if (!d.failure) return undefined;
  const m = marks(d);
  return d.failure.phase === 'build' ? m.buildEnd : m.deployStart + d.timing.deploy * WAIT_END;
}

/** When the deployment goes (or went) live, or undefined if it never will. */
export function liveAt(d: DeploymentRecord): number | undefined {
  if (d.failure || d.stop) return undefined;
  return marks(d).deployEnd;
}

export interface PhaseAt {
  phase: Phase;
  /** When the deployment entered this phase. */
  since: number;
}

export function phaseAt(app: AppRecord, d: DeploymentRecord, t: number): PhaseAt {
  if (d.stop && t >= d.stop.at) return { phase: d.stop.phase, since: d.stop.at };
  const failed = failureAt(d);
  if (failed !== undefined && t >= failed) return { phase: 'ERROR', since: failed };
  const m = marks(d);
  if (t < m.buildStart) return { phase: 'PENDING_BUILD', since: d.createdAt };
  if (t < m.buildEnd) return { phase: 'BUILDING', since: m.buildStart };
  if (t < m.deployStart) return { phase: 'PENDING_DEPLOY', since: m.buildEnd };
  if (t < m.deployEnd) return { phase: 'DEPLOYING', since: m.deployStart };
  const replaced = replacedAt(app, d, t);
  return replaced === undefined
    ? { phase: 'ACTIVE', since: m.deployEnd }
    : { phase: 'SUPERSEDED', since: replaced };
}

/** The first time a newer deployment went live, if that has happened by `t`. */
function replacedAt(app: AppRecord, d: DeploymentRecord, t: number): number | undefined {
  let first: number | undefined;
  for (const other of app.deployments.slice(app.deployments.indexOf(d) + 1)) {
    const at = liveAt(other);
    if (at !== undefined && at <= t && (first === undefined || at < first)) first = at;
  }
  return first;
}

export function activeDeployment(app: AppRecord, t: number): DeploymentRecord | undefined {
  for (let i = app.deployments.length - 1; i >= 0; i--) {
    const d = app.deployments[i]!;
    if (phaseAt(app, d, t).phase === 'ACTIVE') return d;
  }
  return undefined;
}

export function isInProgress(phase: Phase): boolean {
  return (
    phase === 'PENDING_BUILD' || phase === 'BUILDING' || phase === 'PENDING_DEPLOY' || phase === 'DEPLOYING'
  );
}

export function inProgressDeployment(app: AppRecord, t: number): DeploymentRecord | undefined {
  for (let i = app.deployments.length - 1; i >= 0; i--) {
    const d = app.deployments[i]!;
    if (isInProgress(phaseAt(app, d, t).phase)) return d;
  }
  return undefined;
}

/** Whether the deployment ever went live by `t` (active now, or superseded after being active). */
export function wentLive(d: DeploymentRecord, t: number): boolean {
  const at = liveAt(d);
  return at !== undefined && at <= t;
}
