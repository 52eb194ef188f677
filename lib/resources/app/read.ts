/**
 * Reading apps. App Platform apps are owned by exact name, so the deployment's app is found by
 * listing every app (one call for up to 200) and matching `spec.name`; the same list shows the
 * look-alikes. Once known, the app's id is kept for the rest of the operation so waits poll it
 * with one GET.
 */
import type { App, Apps_deployment } from '@digitalocean/dots';
import { hostKey } from '../../config/app-domains.js';
import type { Deployment } from '../../config/manifest.js';
import { isNotFound, listAll, toApiError } from '../../do/index.js';
import type { OpContext } from '../../ops/types.js';
import { flattenModel, flattenSpec } from './spec-wire.js';
import type { AppActual, AppDomainState, AppState, DeploymentState, DeploymentStep } from './types.js';

type Raw = Record<string, unknown>;

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Pure: the progress tree, the same shape at every depth (dots parses only the top level). */
export function toSteps(raw: unknown): DeploymentStep[] {
  const flat = flattenModel(raw);
  if (!Array.isArray(flat)) return [];
  return flat.flatMap((item) => {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) return [];
    const step = item as Raw;
    const reason = step.reason as Raw | undefined;
    const code = text(reason?.code);
    const message = text(reason?.message);
    const component = text(step.component_name);
    return [
      {
        name: text(step.name) ?? 'step',
        status: text(step.status) ?? 'UNKNOWN',
        ...(component ? { componentName: component } : {}),
        ...(code || message
          ? { reason: { ...(code ? { code } : {}), ...(message ? { message } : {}) } }
          : {}),
        steps: toSteps(step.steps),
      },
    ];
  });
}

/** Pure: a dots deployment as the tool reads it. */
export function toDeploymentState(d: Apps_deployment | null | undefined): DeploymentState | undefined {
  if (!d?.id) return undefined;
  const spec = flattenSpec(d.spec);
  return {
    id: d.id,
    phase: d.phase ?? 'UNKNOWN',
    ...(spec ? { spec } : {}),
    progress: {
      success: d.progress?.successSteps ?? 0,
      total: d.progress?.totalSteps ?? 0,
      error: d.progress?.errorSteps ?? 0,
      steps: toSteps(d.progress?.steps),
    },
  };
}

/** Pure: the app's custom domains, with the reasons of any failed step of their progress. */
export function toDomains(app: App): AppDomainState[] {
  return (app.domains ?? []).flatMap((d) => {
    const name = text(d.spec?.domain);
    if (!name) return [];
    const reasons = toSteps(d.progress?.steps)
      .flatMap(function failed(step): string[] {
        const own = step.status === 'ERROR' && step.reason?.message ? [step.reason.message] : [];
        return [...own, ...step.steps.flatMap(failed)];
      })
      .join('; ');
    const type = text(d.spec?.type);
    return [
      {
        domain: hostKey(name),
        ...(type ? { type } : {}),
        phase: text(d.phase) ?? 'UNKNOWN',
        ...(reasons ? { reason: reasons } : {}),
      },
    ];
  });
}

/** Pure: a dots app as the tool reads it. */
export function toAppState(app: App): AppState {
  const active = toDeploymentState(app.activeDeployment);
  const inProgress = toDeploymentState(app.inProgressDeployment) ?? toDeploymentState(app.pendingDeployment);
  return {
    id: app.id ?? '',
    name: app.spec?.name ?? '',
    spec: flattenSpec(app.spec) ?? {},
    ...(app.defaultIngress ? { defaultIngress: app.defaultIngress } : {}),
    ...(app.liveUrl ? { liveUrl: app.liveUrl } : {}),
    ...(active ? { active } : {}),
    ...(inProgress && inProgress.id !== active?.id ? { inProgress } : {}),
    domains: toDomains(app),
  };
}

export async function listApps(ctx: OpContext): Promise<App[]> {
  try {
    return await listAll(
      async (page, perPage) => {
        const r = await ctx.api.client.v2.apps.get({ queryParameters: { page, perPage } });
        return { items: r?.apps, links: r?.links, meta: r?.meta };
      },
      { what: 'apps' },
    );
  } catch (error) {
    throw toApiError(error, { action: 'list', resource: 'apps' });
  }
}

/** App ids learnt during one operation (its context), by app name. */
const knownIds = new WeakMap<OpContext, Map<string, string>>();

function remember(ctx: OpContext, app: AppState): void {
  const ids = knownIds.get(ctx) ?? new Map<string, string>();
  ids.set(app.name, app.id);
  knownIds.set(ctx, ids);
}

/** Pure: the deployment's app and its look-alikes from a list of apps. */
export function sortApps(apps: readonly App[], slug: string): AppActual {
  const named = apps.filter((app) => app.id && app.spec?.name);
  const ours = named.find((app) => app.spec?.name === slug);
  const lookAlikes = named
    .filter((app) => app.spec!.name !== slug && app.spec!.name!.startsWith(slug))
    .map((app) => ({ id: app.id!, name: app.spec!.name! }));
  return { ...(ours ? { app: toAppState(ours) } : {}), lookAlikes };
}

export async function readApps(ctx: OpContext, deployment: Deployment): Promise<AppActual> {
  const actual = sortApps(await listApps(ctx), deployment.slug);
  if (actual.app) remember(ctx, actual.app);
  return actual;
}

async function getById(ctx: OpContext, id: string): Promise<AppState | undefined> {
  try {
    const r = await ctx.api.client.v2.apps.byApp_Id(id).get();
    return r?.app ? toAppState(r.app) : undefined;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw toApiError(error, { action: 'read', resource: `app ${id}` });
  }
}

/** The app named exactly `name`, or undefined: by its id when this operation already saw it. */
export async function findApp(ctx: OpContext, name: string): Promise<AppState | undefined> {
  const id = knownIds.get(ctx)?.get(name);
  if (id) {
    const app = await getById(ctx, id);
    if (app?.name === name) return app;
    knownIds.get(ctx)?.delete(name);
  }
  const app = sortApps(await listApps(ctx), name).app;
  if (app) remember(ctx, app);
  return app;
}

/** Keeps what a create or update answered, so later reads go straight to the app. */
export function rememberApp(ctx: OpContext, app: AppState): void {
  if (app.id && app.name) remember(ctx, app);
}
