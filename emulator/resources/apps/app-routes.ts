import { notFound } from '../../core/http-error.js';
import { paginate } from '../../core/paginate.js';
import type { EmuRequest } from '../../core/types.js';
import { sizeFacts } from './catalog.js';
import { componentsOf, hasInstances } from './components.js';
import { type AppsContext, bodyOf, canonical } from './context.js';
import { startDeployment } from './deployments.js';
import type { AppRecord, DeploymentRecord } from './model.js';
import { openSpec, parseSpec, sealSpec } from './spec-parse.js';
import { type AppSpec, NAME_PATTERN } from './spec-schema.js';
import { nameTaken, pinnedError } from './store.js';
import { renderApp } from './views.js';

/** Static-site apps beyond this many cost $3 a month each. */
const FREE_STATIC_APPS = 3;
const STATIC_APP_USD = 3;

function isStatic(spec: AppSpec): boolean {
  const components = componentsOf(spec);
  return components.length > 0 && components.every((c) => c.kind === 'static_site');
}

function monthlyCost(spec: AppSpec, otherStaticApps: number): number {
  if (isStatic(spec)) return otherStaticApps >= FREE_STATIC_APPS ? STATIC_APP_USD : 0;
  return componentsOf(spec)
    .filter((c) => hasInstances(c.kind))
    .reduce((sum, c) => {
      const facts = sizeFacts(c.spec.instance_size_slug ?? 'apps-s-1vcpu-0.5gb');
      return sum + (facts?.usdPerMonth ?? 0) * (c.spec.instance_count ?? 1);
    }, 0);
}

/** A free name like the taken one: `<name>-2`, `<name>-3`, … trimmed to the 32-character limit. */
function suggestName(ctx: AppsContext, name: string): string {
  for (let n = 2; ; n++) {
    const suffix = `-${n}`;
    const candidate = `${name.slice(0, 32 - suffix.length).replace(/-+$/, '')}${suffix}`;
    if (NAME_PATTERN.test(candidate) && !ctx.store.byName(candidate)) return candidate;
  }
}

/** POST/GET/PUT/DELETE /v2/apps and POST /v2/apps/propose. */
export function registerAppRoutes(ctx: AppsContext): void {
  const { core, store, box, view } = ctx;
  const now = () => core.clock.now();
  const answer = (app: AppRecord, created?: DeploymentRecord) => ({
    status: 200,
    body: { app: renderApp(view, app, now(), { withProjectId: true, ...(created ? { created } : {}) }) },
  });

  // POST answers 200, not 201 (as DigitalOcean does for apps).
  core.route('POST', '/v2/apps', (req) => {
    const spec = openSpec(box, undefined, parseSpec(req.body));
    const projectId = bodyOf(req.body).project_id;
    const id = core.ids.uuid();
    // Check-and-claim in one synchronous step: the uniqueness clients build locks on.
    if (!store.claim(spec.name, id)) throw nameTaken(spec.name);
    const at = now();
    const app: AppRecord = {
      id,
      spec,
      createdAt: at,
      updatedAt: at,
      ...(typeof projectId === 'string' && projectId ? { projectId } : {}),
      ingressHost: `${spec.name}-${core.ids.hex(3).slice(0, 5)}.ondigitalocean.app`,
      deployments: [],
      domainChecks: new Map(),
    };
    store.add(app);
    const deployment = startDeployment(ctx.deploy, app, {
      spec,
      cause: 'initial deployment',
      type: 'MANUAL',
    });
    return answer(app, deployment);
  });

  core.route('GET', '/v2/apps', (req) => {
    const withProjects = req.query.get('with_projects') === 'true';
    const page = paginate(req, core.baseUrl(), 'apps', store.list());
    const t = now();
    page.apps = (page.apps as AppRecord[]).map((app) =>
      renderApp(view, app, t, { withProjectId: withProjects }),
    );
    return { status: 200, body: page };
  });

  // `?name=` looks the app up by name instead of by id (the spec's `app_name` parameter).
  core.route('GET', '/v2/apps/:id', (req) => {
    const name = req.query.get('name');
    const app = name ? store.byName(name) : store.apps.get(req.params.id ?? '');
    if (!app) throw notFound();
    return answer(app);
  });

  core.route('PUT', '/v2/apps/:id', (req: EmuRequest) => {
    const app = store.require(req.params.id);
    const spec = openSpec(box, app.id, parseSpec(req.body));
    const forceSources = bodyOf(req.body).update_all_source_versions === true;
    if (canonical(spec) === canonical(app.spec) && !forceSources) return answer(app);
    if (app.pin) throw pinnedError(app);
    if (!store.rename(app, spec.name)) throw nameTaken(spec.name);
    app.spec = spec;
    app.updatedAt = now();
    const deployment = startDeployment(ctx.deploy, app, { spec, cause: 'app spec updated', type: 'MANUAL' });
    return answer(app, deployment);
  });

  // DELETE answers 200 with the id (as DigitalOcean does for apps), not 204.
  core.route('DELETE', '/v2/apps/:id', (req) => {
    const app = store.require(req.params.id);
    store.remove(app);
    for (const listener of ctx.deleted) listener(app.id);
    return { status: 200, body: { id: app.id } };
  });

  core.route('POST', '/v2/apps/propose', (req) => {
    const appId = bodyOf(req.body).app_id;
    const existing = typeof appId === 'string' && appId ? store.require(appId) : undefined;
    const spec = openSpec(box, existing?.id, parseSpec(req.body));
    const holder = store.byName(spec.name);
    const available = !holder || holder.id === existing?.id;
    const otherStatic = store.list().filter((a) => a.id !== existing?.id && isStatic(a.spec)).length;
    return {
      status: 200,
      body: {
        app_is_static: isStatic(spec),
        app_name_available: available,
        ...(available ? {} : { app_name_suggestion: suggestName(ctx, spec.name) }),
        existing_static_apps: String(otherStatic),
        max_free_static_apps: String(FREE_STATIC_APPS),
        spec: existing ? sealSpec(box, existing.id, spec) : spec,
        app_cost: monthlyCost(spec, otherStatic),
      },
    };
  });
}
