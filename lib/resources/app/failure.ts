/**
 * Pure: how a deployment's progress and failure read to people. App Platform reports a failure as a
 * tree of steps (build → components → web); the deepest failed step carries the reason.
 */
import type { Readiness } from '../types.js';
import type { DeploymentState, DeploymentStep } from './types.js';

/** Lines of the build or deploy log a failure shows. */
export const LOG_TAIL_LINES = 40;

export const IN_PROGRESS_PHASES: readonly string[] = [
  'PENDING_BUILD',
  'BUILDING',
  'PENDING_DEPLOY',
  'DEPLOYING',
];

export function isInProgressPhase(phase: string): boolean {
  return IN_PROGRESS_PHASES.includes(phase);
}

export interface FailedStep {
  /** From the root: `['build', 'components', 'web']`. */
  path: string[];
  step: DeploymentStep;
}

/** The deepest step with status ERROR, preferring one that says why. */
export function failingStep(steps: readonly DeploymentStep[], path: string[] = []): FailedStep | undefined {
  let fallback: FailedStep | undefined;
  for (const step of steps) {
    if (step.status !== 'ERROR') continue;
    const here = [...path, step.name];
    const deeper = failingStep(step.steps, here);
    if (deeper?.step.reason) return deeper;
    if (step.reason) return { path: here, step };
    fallback ??= deeper ?? { path: here, step };
  }
  return fallback;
}

/** Which log tells the story of a failed step: its phase (the root step) and its component. */
export function logOf(failed: FailedStep | undefined): { type: 'BUILD' | 'DEPLOY'; component?: string } {
  const type = failed?.path[0] === 'deploy' ? 'DEPLOY' : 'BUILD';
  const component = failed?.step.componentName;
  return component ? { type, component } : { type };
}

/** `BUILDING 3/6 steps (deployment …)`, with the fraction done. */
export function pendingOf(deployment: DeploymentState): Readiness {
  const { success, total } = deployment.progress;
  const steps = total > 0 ? ` ${success}/${total} steps` : '';
  return {
    state: 'pending',
    detail: `${deployment.phase}${steps} (deployment ${deployment.id})`,
    ...(total > 0 ? { fraction: success / total } : {}),
  };
}

function endedAs(phase: string): string {
  if (phase === 'CANCELED') return 'was canceled';
  if (phase === 'SUPERSEDED') return 'was superseded before it went live';
  return `failed (${phase})`;
}

export interface FailureInput {
  slug: string;
  deployment: DeploymentState;
  /** The deployment still serving traffic, if any: App Platform keeps the previous version live. */
  liveId?: string | undefined;
}

/** One paragraph: what failed, where, why, and what is live now. */
export function describeFailure({ slug, deployment, liveId }: FailureInput): string {
  const failed = failingStep(deployment.progress.steps);
  const where = failed ? ` at step "${failed.path.join(' › ')}"` : '';
  const reason = failed?.step.reason;
  const why = reason
    ? `: ${[reason.code, reason.message].filter(Boolean).join(': ')}`
    : deployment.progress.error > 0
      ? `: ${deployment.progress.error} step${deployment.progress.error === 1 ? '' : 's'} failed`
      : '';
  const live = liveId
    ? `The previously active deployment ${liveId} stays live.`
    : 'Nothing was live before, so the app serves no version.';
  return `App Platform deployment ${deployment.id} of app ${slug} ${endedAs(deployment.phase)}${where}${why}. ${live}`;
}

/** The last `count` non-empty lines of a log. */
export function tailLines(text: string, count = LOG_TAIL_LINES): string {
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '');
  return lines.slice(-count).join('\n');
}
