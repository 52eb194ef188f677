import { notFound } from '../../core/http-error.js';
import type { EmuRequest } from '../../core/types.js';
import { findComponent } from './components.js';
import type { AppsContext } from './context.js';
import { findDeployment } from './deployment-routes.js';
import { isLogOpen, type LogType, logLines } from './log-lines.js';
import type { LogUrls } from './log-urls.js';
import type { AppRecord, DeploymentRecord } from './model.js';
import { invalidArgument } from './spec-parse.js';
import { failedPrecondition } from './store.js';
import { activeDeployment } from './timeline.js';

const TYPES: readonly LogType[] = ['BUILD', 'DEPLOY', 'RUN'];

/**
 * The four logs endpoints. They answer URLs, not log text: `live_url` (a websocket that keeps
 * pushing lines) when following a phase still running, `historic_urls` otherwise. A phase the
 * deployment never reached answers 400, which DigitalOcean's own deploy action relies on.
 */
export function registerLogRoutes(ctx: AppsContext, urls: LogUrls): void {
  const { core, store } = ctx;

  const answer = (app: AppRecord, d: DeploymentRecord, component: string | undefined, req: EmuRequest) => {
    const type = req.query.get('type') as LogType;
    if (!TYPES.includes(type)) throw invalidArgument('type must be one of BUILD, DEPLOY or RUN');
    if (component !== undefined && !findComponent(d.spec, component)) throw notFound();
    const t = core.clock.now();
    if (!logLines(d, type, component, t)) {
      throw failedPrecondition(`deployment ${d.id} has no ${type} logs: it has not reached that phase`);
    }
    const tail = Number(req.query.get('tail_lines'));
    const follow = req.query.get('follow') === 'true' && isLogOpen(app, d, type, t);
    const ref = {
      app: app.id,
      deployment: d.id,
      ...(component !== undefined ? { component } : {}),
      type,
      follow,
      ...(Number.isInteger(tail) && tail > 0 ? { tail } : {}),
    };
    return { status: 200, body: follow ? { live_url: urls.url(ref) } : { historic_urls: [urls.url(ref)] } };
  };
  const active = (app: AppRecord) => {
    const d = activeDeployment(app, core.clock.now());
    if (!d) throw failedPrecondition('app has no active deployment');
    return d;
  };
  const queryComponent = (req: EmuRequest) => req.query.get('component_name') || undefined;

  core.route('GET', '/v2/apps/:app_id/deployments/:deployment_id/components/:component_name/logs', (req) => {
    const app = store.require(req.params.app_id);
    return answer(app, findDeployment(app, req.params.deployment_id), req.params.component_name, req);
  });
  core.route('GET', '/v2/apps/:app_id/deployments/:deployment_id/logs', (req) => {
    const app = store.require(req.params.app_id);
    return answer(app, findDeployment(app, req.params.deployment_id), queryComponent(req), req);
  });
  core.route('GET', '/v2/apps/:app_id/components/:component_name/logs', (req) => {
    const app = store.require(req.params.app_id);
    return answer(app, active(app), req.params.component_name, req);
  });
  core.route('GET', '/v2/apps/:app_id/logs', (req) => {
    const app = store.require(req.params.app_id);
    return answer(app, active(app), queryComponent(req), req);
  });
}
