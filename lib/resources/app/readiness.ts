/**
 * Has the app settled? State lives in DigitalOcean, so this follows the app's newest deployment
 * (in progress, else the latest listed), which is the one the last create or update started —
 * whichever invocation made it. Reads only.
 */
import type { Deployment } from '../../config/manifest.js';
import { toApiError } from '../../do/index.js';
import type { OpContext } from '../../ops/types.js';
import type { Readiness } from '../types.js';
import { describeFailure, failingStep, isInProgressPhase, logOf, pendingOf, tailLines } from './failure.js';
import { summarize } from './plan.js';
import { findApp, toDeploymentState } from './read.js';
import { specDifferences, specMatches } from './spec-compare.js';
import type { AppDesired, AppState, DeploymentState } from './types.js';

async function latestDeployment(ctx: OpContext, app: AppState): Promise<DeploymentState | undefined> {
  try {
    const r = await ctx.api.client.v2.apps
      .byApp_Id(app.id)
      .deployments.get({ queryParameters: { page: 1, perPage: 1 } });
    return toDeploymentState(r?.deployments?.[0]);
  } catch (error) {
    throw toApiError(error, { action: 'list deployments of', resource: `app ${app.name}` });
  }
}

/**
 * The tail of the log that shows the failure. Log text is fetched from the URL App Platform hands
 * out (no DigitalOcean token goes there) and passes the redactor: a build may echo its environment.
 */
export async function failureLogs(
  ctx: OpContext,
  app: AppState,
  deployment: DeploymentState,
): Promise<string> {
  const { type, component } = logOf(failingStep(deployment.progress.steps));
  const name = component ?? firstComponent(deployment);
  if (!name) return '';
  try {
    const r = await ctx.api.client.v2.apps
      .byApp_Id(app.id)
      .deployments.byDeployment_id(deployment.id)
      .components.byComponent_name(name)
      .logs.get({ queryParameters: { type } });
    const url = r?.historicUrls?.[0] ?? r?.liveUrl;
    if (!url) return `(no ${type} log was offered for ${name})`;
    const response = await ctx.api.https.request(url);
    if (!response.ok) return `(the ${type} log of ${name} could not be read: HTTP ${response.status})`;
    return ctx.log.redactor.redact(tailLines(await response.text()));
  } catch (error) {
    const reason = toApiError(error, { action: 'read the logs of', resource: `app ${app.name}` });
    return `(the ${type} log of ${name} could not be read: ${reason.message})`;
  }
}

function firstComponent(deployment: DeploymentState): string | undefined {
  const spec = deployment.spec;
  return [spec?.services, spec?.workers, spec?.jobs, spec?.static_sites].flatMap((list) => list ?? [])[0]
    ?.name;
}

async function failed(ctx: OpContext, app: AppState, deployment: DeploymentState): Promise<Readiness> {
  const detail = describeFailure({ slug: app.name, deployment, liveId: app.active?.id });
  const logs = await failureLogs(ctx, app, deployment);
  return { state: 'failed', detail: ctx.log.redactor.redact(detail), ...(logs ? { logs } : {}) };
}

/** Pure part: what the app's own view says, or undefined when the newest deployment must be read. */
export function readinessOf(app: AppState, desired: AppDesired): Readiness | undefined {
  if (app.inProgress) return pendingOf(app.inProgress);
  const differences = specDifferences(desired.spec, app.spec);
  if (differences.length > 0) {
    return {
      state: 'failed',
      detail:
        `app ${app.name} does not hold the spec being deployed (${summarize(differences)}): ` +
        'it was changed meanwhile, or the update was not applied. Run deploy again.',
    };
  }
  if (app.active && (app.active.spec === undefined || specMatches(desired.spec, app.active.spec))) {
    return { state: 'ready' };
  }
  return undefined;
}

export async function appReadiness(
  ctx: OpContext,
  deployment: Deployment,
  desired: AppDesired | undefined,
): Promise<Readiness> {
  if (!desired) return { state: 'ready' };
  const app = await findApp(ctx, deployment.slug);
  if (!app) {
    return {
      state: 'failed',
      detail: `app ${deployment.slug} does not exist: it was deleted, or never created.`,
    };
  }
  const known = readinessOf(app, desired);
  if (known) return known;
  const latest = await latestDeployment(ctx, app);
  if (!latest) return { state: 'failed', detail: `app ${app.name} has no deployment to follow.` };
  if (isInProgressPhase(latest.phase)) return pendingOf(latest);
  if (latest.phase === 'ACTIVE') {
    if (latest.spec === undefined || specMatches(desired.spec, latest.spec)) return { state: 'ready' };
    return {
      state: 'failed',
      detail: `app ${app.name}'s newest deployment ${latest.id} is live but runs another spec. Run deploy again.`,
    };
  }
  return failed(ctx, app, latest);
}
