import { notFound } from '../../core/http-error.js';
import { paginate } from '../../core/paginate.js';
import type { EmuRequest } from '../../core/types.js';
import type { AppsContext } from './context.js';
import { startDeployment } from './deployments.js';
import type { AppRecord, DeploymentRecord } from './model.js';
import { failedPrecondition, pinnedError } from './store.js';
import { isInProgress, phaseAt } from './timeline.js';
import { renderDeployment } from './views.js';

export function findDeployment(app: AppRecord, id: string | undefined): DeploymentRecord {
  const deployment = app.deployments.find((d) => d.id === id);
  if (!deployment) throw notFound();
  return deployment;
}

/** /v2/apps/:app_id/deployments: list (newest first), create, get, cancel. */
export function registerDeploymentRoutes(ctx: AppsContext): void {
  const { core, store, view } = ctx;
  const now = () => core.clock.now();
  const answer = (app: AppRecord, d: DeploymentRecord) => ({
    status: 200,
    body: { deployment: renderDeployment(view, app, d, now()) },
  });

  core.route('GET', '/v2/apps/:app_id/deployments', (req: EmuRequest) => {
    const app = store.require(req.params.app_id);
    const types = new Set(
      req.query
        .getAll('deployment_types')
        .flatMap((t) => t.split(','))
        .filter(Boolean),
    );
    const newestFirst = [...app.deployments].reverse().filter((d) => types.size === 0 || types.has(d.type));
    const page = paginate(req, core.baseUrl(), 'deployments', newestFirst);
    const t = now();
    page.deployments = (page.deployments as DeploymentRecord[]).map((d) => renderDeployment(view, app, d, t));
    return { status: 200, body: page };
  });

  // `force_build` is accepted: every emulated deployment builds (images are pulled again).
  core.route('POST', '/v2/apps/:app_id/deployments', (req) => {
    const app = store.require(req.params.app_id);
    if (app.pin) throw pinnedError(app);
    return answer(app, startDeployment(ctx.deploy, app, { spec: app.spec, cause: 'manual', type: 'MANUAL' }));
  });

  core.route('GET', '/v2/apps/:app_id/deployments/:deployment_id', (req) => {
    const app = store.require(req.params.app_id);
    return answer(app, findDeployment(app, req.params.deployment_id));
  });

  core.route('POST', '/v2/apps/:app_id/deployments/:deployment_id/cancel', (req) => {
    const app = store.require(req.params.app_id);
    const deployment = findDeployment(app, req.params.deployment_id);
    const t = now();
    const { phase } = phaseAt(app, deployment, t);
    if (!isInProgress(phase))
      throw failedPrecondition(`deployment ${deployment.id} is not in progress (phase ${phase})`);
    deployment.stop = { at: t, phase: 'CANCELED' };
    return answer(app, deployment);
  });
}
