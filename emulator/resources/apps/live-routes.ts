import type { EmuRequest, EmuResponse } from '../../core/types.js';
import { appWideVariables, bindVariables } from './bindable.js';
import { type ComponentSpec, componentsOf, runtimeEnv, sourceLabel } from './components.js';
import type { AppsContext } from './context.js';
import { appForHost } from './domains.js';
import type { AppSpec } from './spec-schema.js';
import { activeDeployment } from './timeline.js';

interface HttpRoute {
  prefix: string;
  component: string;
  preserve: boolean;
}

/** Request lines kept per deployment for its run log (oldest dropped first). */
const MAX_REQUEST_LINES = 1000;

/**
 * Which component serves which path: ingress rules when the spec has them, else each service's
 * and static site's routes, else the first HTTP component at `/`. Longest prefix wins.
 */
export function httpRoutes(spec: AppSpec): HttpRoute[] {
  const routes: HttpRoute[] = [];
  for (const rule of spec.ingress?.rules ?? []) {
    if (!rule.component?.name) continue;
    routes.push({
      prefix: rule.match?.path?.prefix ?? '/',
      component: rule.component.name,
      preserve: rule.component.preserve_path_prefix === true,
    });
  }
  const http = componentsOf(spec).filter((c) => c.kind === 'service' || c.kind === 'static_site');
  if (routes.length === 0) {
    for (const c of http) {
      for (const route of c.spec.routes ?? []) {
        routes.push({
          prefix: route.path ?? '/',
          component: c.name,
          preserve: route.preserve_path_prefix === true,
        });
      }
    }
  }
  if (routes.length === 0 && http[0]) routes.push({ prefix: '/', component: http[0].name, preserve: false });
  return routes.sort((a, b) => b.prefix.length - a.prefix.length);
}

function matches(prefix: string, path: string): boolean {
  const base = prefix.endsWith('/') ? prefix : `${prefix}/`;
  return prefix === '/' || path === prefix || path.startsWith(base);
}

/** Names the emulator's own address goes by: a request to them reaches whichever app its path names. */
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '::1']);

/** The host name of a Host header (`app.example.com:443` → `app.example.com`, `[::1]:8443` → `::1`). */
export function hostnameOf(header: string | undefined): string {
  const value = (header ?? '').trim().toLowerCase();
  const bracketed = /^\[([^\]]+)\]/.exec(value);
  if (bracketed) return bracketed[1]!;
  return value.replace(/:\d+$/, '').replace(/\.$/, '');
}

/** What DigitalOcean's edge answers for a host no app serves (a guess: docs/fidelity.md apps.host-routing). */
function unknownHost(host: string): EmuResponse {
  return { status: 404, text: `404 Not Found: no app is served at ${host}\n` };
}

/**
 * The app's live URL, served by the emulator at `/_emulator/live/<app-id>/` (internal paths are
 * neither rate-limited nor logged as API calls): it answers what the ACTIVE deployment runs, so
 * tests see which version is live. App Platform routes by host name, so the Host header decides
 * which app answers: the emulator's own address stands for the app the path names (the live URL it
 * hands out, in place of a default ingress host nobody can resolve), an app's default ingress host
 * or one of its ACTIVE custom domains for that app, and any other host gets the edge's 404. 503
 * while nothing is live; `/healthz` answers 200 while a deployment is live. Secret envs never show.
 */
export function registerLiveRoutes(ctx: AppsContext): void {
  const { core, store } = ctx;
  const handler = (req: EmuRequest): EmuResponse => {
    const t = core.clock.now();
    const host = hostnameOf(req.headers.host);
    const app = LOOPBACK_HOSTS.has(host)
      ? store.apps.get(req.params.app_id ?? '')
      : appForHost(ctx.view.domains, store.list(), host, t);
    if (!app && !LOOPBACK_HOSTS.has(host)) return unknownHost(host);
    if (!app) return { status: 404, body: { error: 'no app is served at this address' } };
    const active = activeDeployment(app, t);
    if (!active) return { status: 503, body: { error: 'the app has no active deployment' } };
    const path = `/${req.params['*'] ?? ''}`;
    if (path === '/healthz') return { status: 200, body: { status: 'ok', deployment_id: active.id } };
    const route = httpRoutes(active.spec).find((r) => matches(r.prefix, path));
    const component = route && componentsOf(active.spec).find((c) => c.name === route.component);
    if (!route || !component) return { status: 404, body: { error: `no component serves ${path}` } };
    const forwarded =
      route.preserve || route.prefix === '/'
        ? path
        : `/${path.slice(route.prefix.length).replace(/^\//, '')}`;
    active.requests.push({ at: t, component: component.name, text: `${req.method} ${path} 200` });
    if (active.requests.length > MAX_REQUEST_LINES) active.requests.shift();
    return {
      status: 200,
      body: {
        app: app.spec.name,
        component: component.name,
        deployment_id: active.id,
        image: sourceLabel(component.spec as ComponentSpec),
        env: bindVariables(
          runtimeEnv(active.spec, component.spec, false),
          appWideVariables(app, active.spec),
        ),
        path: forwarded,
      },
    };
  };
  for (const method of ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']) {
    core.route(method, '/_emulator/live/:app_id/*', handler, { auth: 'none' });
  }
}
