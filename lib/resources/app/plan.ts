import type { AppSpec } from '../../config/app-spec.js';
import type { Deployment } from '../../config/manifest.js';
import type { PlanStep } from '../types.js';
import { type Ownership, ownershipOf } from './ownership.js';
import { recordedDigests } from './proof.js';
import { specDifferences, specMatches } from './spec-compare.js';
import type { AppActual, AppDesired, AppPayload, AppState } from './types.js';

/**
 * The reason of the noop step an app with the deployment's name but no proof of ownership gets:
 * nothing is planned for it, and maintain reports it (./ownership.ts).
 */
export const LEFT_ALONE = 'left alone, no proof this tool made it: ';

export function isLeftAlone(step: PlanStep): boolean {
  return step.kind === 'app' && step.action === 'noop' && step.reason.startsWith(LEFT_ALONE);
}

const ADOPTION: Partial<Record<Ownership['state'], string>> = {
  'earlier-version':
    "adopting the app an earlier version of the tool deployed (its spec is deployment.yml's, images aside)",
  adopted: 'adopting the app (adopt_app)',
};

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
  const ownership = ownershipOf(app, desired.spec, desired.adopt);
  if (ownership.state === 'unproven') return [step('noop', `${LEFT_ALONE}${ownership.why}`, { id: app.id })];
  const differences = specDifferences(desired.spec, app.spec);
  if (differences.length > 0) {
    const adoption = ADOPTION[ownership.state];
    return [
      step('update', `${adoption ? `${adoption}; ` : ''}spec: ${summarize(differences)}`, {
        id: app.id,
        payload: { spec: desired.spec },
      }),
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

const DELETE_REASON: Record<Exclude<Ownership['state'], 'unproven'>, string> = {
  proven: 'owned by the deployment (its owner marker)',
  'earlier-version': "deployed by an earlier version of the tool (its spec is deployment.yml's)",
  adopted: 'adopted (adopt_app)',
};

export interface DestroyAppOptions {
  /** deployment.yml's app spec, when it still has an app: recognises an earlier version's app. */
  desired?: AppSpec | undefined;
  adopt?: boolean | undefined;
}

/**
 * Pure: the deployment's app goes when the tool can prove it is the deployment's (./ownership.ts);
 * one without proof, and look-alikes, are never touched.
 */
export function destroyApp(
  actual: AppActual | undefined,
  options: DestroyAppOptions = {},
): PlanStep<AppPayload>[] {
  const app = actual?.app;
  if (!app) return [];
  const ownership = ownershipOf(app, options.desired, options.adopt);
  if (ownership.state === 'unproven') return [];
  return [
    { kind: 'app', action: 'delete', name: app.name, id: app.id, reason: DELETE_REASON[ownership.state] },
  ];
}

/** The warning for an app with the deployment's name that the tool cannot prove it made. */
export function unprovenWarning(app: AppState, why: string): string {
  return (
    `App ${app.name} (${app.id}) has the deployment's name but no proof that this tool made it (${why}): ` +
    'deploy, edit, maintain and teardown leave it alone. Rename or delete that app yourself, or deploy ' +
    "under another name or environment; if it is this deployment's app, run deploy (or teardown) with " +
    '--adopt-app (input adopt_app: true) to take it over.'
  );
}

/**
 * Pure: SECRET values that are the ones deployment.yml's spec file publishes (and, for a deploy,
 * those it is about to put live): anyone who can read the repository knows them. Compared by
 * digest; no value is held.
 */
export function publishedSecretWarnings(
  app: AppState | undefined,
  deployment: Deployment,
  options: { deploying?: boolean } = {},
): string[] {
  const proof = deployment.appProof;
  if (!proof?.published?.size) return [];
  const wanted = deployment.app ? recordedDigests(deployment.app.spec) : undefined;
  const live = app ? recordedDigests(app.spec) : undefined;
  const holds = (digests: typeof live, path: string, digest: string) =>
    digests?.keyId === proof.key.id && digests.byPath.get(path) === digest;
  return [...proof.published].flatMap(([entry, published]) => {
    const path = entry.replace(/#sample$/, '');
    const isLive = holds(live, path, published.digest);
    const isWanted = holds(wanted, path, published.digest);
    // What is live, everywhere; what a deploy is about to put live, to the deploy.
    if (!isLive && !(options.deploying && isWanted)) return [];
    const state = !isLive
      ? 'is about to go live with'
      : isWanted
        ? 'is live with'
        : 'is still live (deploy rolls out the new value) with';
    const fix = published.variable
      ? `set ${published.variable} (in .env, or the control plane's environment) to a value of your own`
      : `give it a value of your own through a \${VARIABLE} in ${published.source}`;
    return [
      `${PUBLISHED_SECRET}${path} of app ${deployment.slug} ${state} the value published in ` +
        `${published.source}: anyone who can read the repository knows it.` +
        (isWanted ? ` To replace it, ${fix} and deploy again.` : ''),
    ];
  });
}

export const PUBLISHED_SECRET = 'PUBLISHED SECRET: ';

export function isPublishedSecretWarning(warning: string): boolean {
  return warning.startsWith(PUBLISHED_SECRET);
}

/** Pure: the app's warnings: look-alikes, an app with the deployment's name but no proof, published SECRETs. */
export function appWarnings(
  actual: AppActual | undefined,
  deployment: Deployment,
  desired?: AppDesired | undefined,
): string[] {
  const slug = deployment.slug;
  const lookAlikes = (actual?.lookAlikes ?? []).map(
    (app) =>
      `app ${app.name} (${app.id}) has a name starting with ${slug} but is not this deployment's app ` +
      `(${slug}): it is left alone.`,
  );
  const app = actual?.app;
  const ownership = app
    ? ownershipOf(app, (desired ?? deployment.app)?.spec, deployment.appProof?.adopt)
    : undefined;
  const unproven = app && ownership?.state === 'unproven' ? [unprovenWarning(app, ownership.why)] : [];
  return [...lookAlikes, ...unproven, ...(unproven.length ? [] : publishedSecretWarnings(app, deployment))];
}
