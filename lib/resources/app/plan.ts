import type { PlanStep } from '../types.js';
import { specDifferences, specMatches } from './spec-compare.js';
import type { AppActual, AppDesired, AppPayload, AppState } from './types.js';

const SHOWN_DIFFERENCES = 3;

/** Pure: `a → b; c → d (+2 more)`. */
export function summarize(differences: readonly string[]): string {
  const shown = differences.slice(0, SHOWN_DIFFERENCES).join('; ');
  const more = differences.length - SHOWN_DIFFERENCES;
  return more > 0 ? `${shown} (+${more} more)` : shown;
}

/**
 * Whether the app's live version runs its current spec. A deployment that failed or was canceled
 * leaves the spec updated but the previous version live; without a spec to compare (a list that
 * leaves it out) the live version is taken as current rather than redeployed on every run.
 */
function isLiveCurrent(desired: AppDesired, app: AppState): boolean {
  if (!app.active) return false;
  return app.active.spec === undefined || specMatches(desired.spec, app.active.spec);
}

/**
 * Pure: create when absent; update when the spec differs; deploy again when the spec is right but
 * its last deployment failed (calling deploy again is how a user retries); otherwise nothing —
 * including while a deployment is in progress, which readiness then follows.
 */
export function planApp(desired: AppDesired | undefined, actual: AppActual): PlanStep<AppPayload>[] {
  if (!desired) return [];
  const name = desired.spec.name ?? '';
  const step = (action: PlanStep['action'], reason: string, extra: Partial<PlanStep<AppPayload>> = {}) => ({
    kind: 'app' as const,
    action,
    name,
    reason,
    ...extra,
  });
  const { app } = actual;
  if (!app) return [step('create', 'missing', { payload: { spec: desired.spec } })];
  const differences = specDifferences(desired.spec, app.spec);
  if (differences.length > 0) {
    return [
      step('update', `spec: ${summarize(differences)}`, { id: app.id, payload: { spec: desired.spec } }),
    ];
  }
  if (app.inProgress) {
    return [
      step('noop', `deployment ${app.inProgress.id} in progress (${app.inProgress.phase})`, { id: app.id }),
    ];
  }
  if (!isLiveCurrent(desired, app)) {
    const reason = app.active
      ? `the live deployment ${app.active.id} runs an older spec (the last deployment failed or was canceled): deploying the spec again`
      : 'nothing is live (the last deployment failed or was canceled): deploying the spec again';
    return [step('update', reason, { id: app.id, payload: { redeploy: true } })];
  }
  return [step('noop', 'up to date', { id: app.id })];
}

/** Pure: the deployment's app goes (by exact name); look-alikes are never touched. */
export function destroyApp(actual: AppActual): PlanStep<AppPayload>[] {
  const { app } = actual;
  if (!app) return [];
  return [
    {
      kind: 'app',
      action: 'delete',
      name: app.name,
      id: app.id,
      reason: 'owned by the deployment (exact name)',
    },
  ];
}

/** Pure: one warning per app that looks like the deployment's but is not it. */
export function appWarnings(actual: AppActual | undefined, slug: string): string[] {
  return (actual?.lookAlikes ?? []).map(
    (app) =>
      `app ${app.name} (${app.id}) has a name starting with ${slug} but is not this deployment's app ` +
      `(${slug}): it is left alone.`,
  );
}
