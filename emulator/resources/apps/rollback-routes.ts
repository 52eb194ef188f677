import { componentsOf } from './components.js';
import { type AppsContext, bodyOf } from './context.js';
import { findDeployment } from './deployment-routes.js';
import { startDeployment } from './deployments.js';
import type { AppRecord, DeploymentRecord } from './model.js';
import { invalidArgument } from './spec-parse.js';
import { failedPrecondition, nameTaken } from './store.js';
import { activeDeployment, isInProgress, phaseAt, wentLive } from './timeline.js';
import { renderDeployment } from './views.js';

interface Condition {
  code: string;
  message: string;
  components?: string[];
}

interface RollbackCheck {
  target: DeploymentRecord;
  error?: Condition;
  warnings: Condition[];
}

/** Whether `target` can be rolled back to now, with App Platform's condition codes. */
function checkRollback(app: AppRecord, target: DeploymentRecord, t: number): RollbackCheck {
  const warnings: Condition[] = [];
  const components = componentsOf(target.spec);
  const byTag = components.filter((c) => c.spec.image && !c.spec.image.digest).map((c) => c.name);
  if (byTag.length) {
    warnings.push({
      code: 'image_source_missing_digest',
      message: 'image components reference a tag, which may now point to a different image',
      components: byTag,
    });
  }
  const staticSites = components.filter((c) => c.kind === 'static_site').map((c) => c.name);
  if (staticSites.length) {
    warnings.push({
      code: 'static_site_requires_rebuild',
      message: 'static sites will be rebuilt',
      components: staticSites,
    });
  }
  const fail = (code: string, message: string): RollbackCheck => ({
    target,
    error: { code, message },
    warnings,
  });
  if (app.pin) return fail('app_pinned', `app is pinned to rollback deployment ${app.pin.deploymentId}`);
  const { phase } = phaseAt(app, target, t);
  if (isInProgress(phase))
    return fail('incompatible_phase', `deployment ${target.id} is still in progress (phase ${phase})`);
  if (!wentLive(target, t))
    return fail('incompatible_result', `deployment ${target.id} never became active (phase ${phase})`);
  if (activeDeployment(app, t) === target) {
    return fail('incompatible_phase', `deployment ${target.id} is already the active deployment`);
  }
  if ((target.spec.region ?? '') !== (app.spec.region ?? '')) {
    return fail('region_conflict', `deployment ${target.id} ran in another region`);
  }
  return { target, warnings };
}

/** /v2/apps/:app_id/rollback (+ validate, commit, revert). */
export function registerRollbackRoutes(ctx: AppsContext): void {
  const { core, store, view } = ctx;
  const now = () => core.clock.now();
  const check = (app: AppRecord, body: unknown) => {
    const deploymentId = bodyOf(body).deployment_id;
    if (typeof deploymentId !== 'string' || !deploymentId) throw invalidArgument('deployment_id is required');
    return checkRollback(app, findDeployment(app, deploymentId), now());
  };
  const answer = (app: AppRecord, d: DeploymentRecord) => ({
    status: 200,
    body: { deployment: renderDeployment(view, app, d, now()) },
  });

  core.route('POST', '/v2/apps/:app_id/rollback/validate', (req) => {
    const result = check(store.require(req.params.app_id), req.body);
    return {
      status: 200,
      body: {
        valid: !result.error,
        ...(result.error ? { error: result.error } : {}),
        warnings: result.warnings,
      },
    };
  });

  // The rollback deploys the old spec and, unless skip_pin, pins the app to it until commit or revert.
  core.route('POST', '/v2/apps/:app_id/rollback', (req) => {
    const app = store.require(req.params.app_id);
    const { target, error } = check(app, req.body);
    if (error) throw failedPrecondition(`${error.code}: ${error.message}`);
    if (!store.rename(app, target.spec.name)) throw nameTaken(target.spec.name);
    const priorSpec = app.spec;
    app.spec = structuredClone(target.spec);
    app.updatedAt = now();
    const deployment = startDeployment(ctx.deploy, app, {
      spec: app.spec,
      cause: `rollback to deployment ${target.id}`,
      type: 'MANUAL_ROLLBACK',
      clonedFrom: target.id,
    });
    if (bodyOf(req.body).skip_pin !== true) app.pin = { deploymentId: deployment.id, priorSpec };
    return answer(app, deployment);
  });

  // Commit answers 200 with an empty body (the spec's no_content response).
  core.route('POST', '/v2/apps/:app_id/rollback/commit', (req) => {
    const app = store.require(req.params.app_id);
    if (!app.pin) throw failedPrecondition('app has no rollback to commit');
    app.pin = undefined;
    return { status: 200 };
  });

  core.route('POST', '/v2/apps/:app_id/rollback/revert', (req) => {
    const app = store.require(req.params.app_id);
    if (!app.pin) throw failedPrecondition('app has no rollback to revert');
    const spec = app.pin.priorSpec;
    if (!store.rename(app, spec.name)) throw nameTaken(spec.name);
    app.pin = undefined;
    app.spec = spec;
    app.updatedAt = now();
    const deployment = startDeployment(ctx.deploy, app, {
      spec,
      cause: 'rollback reverted',
      type: 'MANUAL_ROLLBACK',
    });
    return answer(app, deployment);
  });
}
