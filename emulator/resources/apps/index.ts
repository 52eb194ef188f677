import { rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ConsoleServer } from '../../console/console-server.js';
import { type AppsService, service } from '../../core/services.js';
import type { EmulatorModule } from '../../core/types.js';
import { registerAppRoutes } from './app-routes.js';
import { registerCatalogRoutes } from './catalog-routes.js';
import { componentsOf } from './components.js';
import type { AppsContext } from './context.js';
import { registerDeploymentRoutes } from './deployment-routes.js';
import { type DeployContext, type RegistryLookup, startDeployment } from './deployments.js';
import { appForHost, type DnsLookup, type DomainContext, domainStates } from './domains.js';
import { appSandbox, registerExecRoutes } from './exec-routes.js';
import { registerLiveRoutes } from './live-routes.js';
import { registerLogRoutes } from './log-routes.js';
import { LogStreams } from './log-stream.js';
import { LogUrls } from './log-urls.js';
import { registerRollbackRoutes } from './rollback-routes.js';
import { SecretBox } from './secrets.js';
import { AppStore } from './store.js';
import { phaseAt } from './timeline.js';
import type { ViewContext } from './views.js';

/** What other modules can ask of App Platform (set as `services.set('apps', …)`). */
export interface AppsRegistry extends AppsService {
  /** A DOCR push: apps running `repository:tag` with `deploy_on_push` enabled deploy it again. */
  imagePushed(repository: string, tag: string): void;
}

/** A deleted app's sandboxes are scratch space: a removal racing a console's last write is not worth failing for. */
function removeQuietly(path: string): void {
  rm(path, { recursive: true, force: true, maxRetries: 3 }).catch(() => undefined);
}

/** An exec URL stays usable this long (virtual ms) before it is first connected to. */
const CONSOLE_URL_TTL_MS = 60 * 60 * 1000;

/**
 * App Platform: apps and their deployments (phases and progress derived from the virtual clock),
 * spec validation and propose, rollbacks, logs served from signed URLs, a live URL per app that
 * shows the active deployment, and exec URLs opening a console websocket.
 */
export const appsModule: EmulatorModule = {
  name: 'apps',
  register(core) {
    const store = new AppStore();
    const box = new SecretBox();
    const fallbackOwner = core.ids.uuid();
    const domains: DomainContext = {
      timing: core.timing,
      dns: () => service<DnsLookup>(core.services, 'domains'),
    };
    const view: ViewContext = {
      box,
      clock: core.clock,
      baseUrl: () => core.baseUrl(),
      ownerUuid: () => service<{ uuid?: string }>(core.services, 'account')?.uuid ?? fallbackOwner,
      domains,
    };
    const deploy: DeployContext = {
      clock: core.clock,
      timing: core.timing,
      ids: core.ids,
      faults: core.faults,
      registry: () => service<RegistryLookup>(core.services, 'registry'),
    };
    const ctx: AppsContext = { core, store, box, view, deploy, deleted: [] };
    const consoles = new ConsoleServer({
      baseUrl: () => core.baseUrl(),
      clock: core.clock,
      ttlMs: CONSOLE_URL_TTL_MS,
    });
    const urls = new LogUrls(() => core.baseUrl());
    const streams = new LogStreams(ctx, urls);

    registerCatalogRoutes(core);
    registerAppRoutes(ctx);
    registerDeploymentRoutes(ctx);
    registerRollbackRoutes(ctx);
    registerLogRoutes(ctx, urls);
    registerExecRoutes(ctx, consoles);
    registerLiveRoutes(ctx);
    // App Platform's edge holds a certificate for each live app's default ingress and ACTIVE domain.
    core.certificateNames(
      (servername) => appForHost(domains, store.list(), servername, core.clock.now()) !== undefined,
    );
    streams.register();
    core.upgrade('/_emulator/console/:session', consoles.upgrade);

    const sandboxes = join(core.workDir, 'apps');
    ctx.deleted.push((appId) => {
      consoles.closeFor(appId);
      removeQuietly(appSandbox(core.workDir, appId));
    });

    const registry: AppsRegistry = {
      exists: (id) => store.apps.has(id),
      imagePushed: (repository, tag) => {
        for (const app of store.list()) {
          const follows = componentsOf(app.spec).some((c) => {
            const image = c.spec.image;
            return (
              image?.registry_type === 'DOCR' &&
              image.deploy_on_push?.enabled === true &&
              image.repository === repository &&
              !image.digest &&
              (image.tag ?? 'latest') === tag
            );
          });
          if (!follows || app.pin) continue;
          startDeployment(deploy, app, {
            spec: app.spec,
            cause: `image ${repository}:${tag} pushed`,
            type: 'DEPLOY_ON_PUSH',
          });
        }
      },
    };
    core.services.set('apps', registry);

    core.state('apps', {
      dump: () => {
        const t = core.clock.now();
        return store.list().map((app) => ({
          id: app.id,
          name: app.spec.name,
          pinned_deployment: app.pin?.deploymentId,
          ingress_host: app.ingressHost,
          domains: domainStates(domains, app, t).map((d) => ({ domain: d.spec.domain, phase: d.phase })),
          deployments: app.deployments.map((d) => ({
            id: d.id,
            cause: d.cause,
            phase: phaseAt(app, d, t).phase,
          })),
        }));
      },
      reset: () => {
        store.clear();
        consoles.closeAll();
        // Synchronously, so the removal cannot reach into sandboxes made after the reset.
        try {
          rmSync(sandboxes, { recursive: true, force: true, maxRetries: 3 });
        } catch {
          // A sandbox a killed shell was still writing to stays behind; it is removed on stop.
        }
      },
    });
    core.onStop(() => {
      consoles.stop();
      streams.stop();
    });
  },
};
