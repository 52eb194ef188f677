import { join } from 'node:path';
import type { ConsoleServer } from '../../console/console-server.js';
import { notFound } from '../../core/http-error.js';
import type { EmuRequest } from '../../core/types.js';
import { appWideVariables, bindVariables } from './bindable.js';
import { componentsOf, findComponent, hasInstances, KIND_WORDS, runtimeEnv } from './components.js';
import type { AppsContext } from './context.js';
import { findDeployment } from './deployment-routes.js';
import { instanceNames } from './deployments.js';
import type { AppRecord, DeploymentRecord } from './model.js';
import { failedPrecondition } from './store.js';
import { activeDeployment, phaseAt } from './timeline.js';

const COMPONENT_TYPES = { service: 'SERVICE', worker: 'WORKER', job: 'JOB' } as const;

/** Where an app's instances keep their files (a fresh directory per instance, like a container). */
export function appSandbox(workDir: string, appId: string): string {
  return join(workDir, 'apps', appId);
}

/** Exec URLs (the console websocket) and the instance list, for running deployments only. */
export function registerExecRoutes(ctx: AppsContext, consoles: ConsoleServer): void {
  const { core, store } = ctx;

  const execUrl = (app: AppRecord, d: DeploymentRecord, req: EmuRequest) => {
    const component = findComponent(d.spec, req.params.component_name ?? '');
    if (!component) throw notFound();
    if (!hasInstances(component.kind)) {
      throw failedPrecondition(`a ${KIND_WORDS[component.kind]} has no instances to open a console in`);
    }
    const instances = instanceNames(d, component);
    const wanted = req.query.get('instance_name');
    if (wanted && !instances.includes(wanted)) throw notFound();
    const instance = wanted || instances[0]!;
    const env = bindVariables(runtimeEnv(d.spec, component.spec, true), appWideVariables(app, d.spec));
    if (component.kind === 'service') env.PORT ??= String(component.spec.http_port ?? 8080);
    const url = consoles.issue({
      key: app.id,
      instance,
      env,
      dir: join(appSandbox(core.workDir, app.id), instance),
    });
    return { status: 200, body: { url } };
  };

  core.route('GET', '/v2/apps/:app_id/components/:component_name/exec', (req) => {
    const app = store.require(req.params.app_id);
    const active = activeDeployment(app, core.clock.now());
    if (!active) throw failedPrecondition('app has no active deployment');
    return execUrl(app, active, req);
  });

  core.route('GET', '/v2/apps/:app_id/deployments/:deployment_id/components/:component_name/exec', (req) => {
    const app = store.require(req.params.app_id);
    const deployment = findDeployment(app, req.params.deployment_id);
    const { phase } = phaseAt(app, deployment, core.clock.now());
    if (phase !== 'ACTIVE')
      throw failedPrecondition(`deployment ${deployment.id} is not running (phase ${phase})`);
    return execUrl(app, deployment, req);
  });

  core.route('GET', '/v2/apps/:app_id/instances', (req) => {
    const app = store.require(req.params.app_id);
    const active = activeDeployment(app, core.clock.now());
    const instances = active
      ? componentsOf(active.spec).flatMap((c) =>
          c.kind === 'service' || c.kind === 'worker' || c.kind === 'job'
            ? instanceNames(active, c).map((name, i) => ({
                component_name: c.name,
                component_type: COMPONENT_TYPES[c.kind as keyof typeof COMPONENT_TYPES],
                instance_name: name,
                instance_alias: `${c.name}-${i}`,
              }))
            : [],
        )
      : [];
    return { status: 200, body: { instances } };
  });
}
