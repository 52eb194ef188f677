/**
 * Health is what serves now, apart from drift: the app's live URL answers from its active
 * deployment (whatever spec that runs), the droplets serving are active and answer on their health
 * URL, and DNS answers as deployment.yml says. An app that differs from the manifest is drift, not
 * ill health.
 */
import type { Deployment } from '../../config/manifest.js';
import { type AppActual, type AppDesired, liveCheck } from '../../resources/app/index.js';
import { type DomainDesired, domainModule } from '../../resources/domain/index.js';
import { healthUrl, probeFailure, probeHealth } from '../../resources/droplets/health-probe.js';
import {
  type ActualDroplets,
  type DesiredDroplets,
  type DropletState,
  dropletsModule,
  parseDropletName,
} from '../../resources/droplets/index.js';
import { mayStillStart } from '../../resources/droplets/readiness.js';
import type { Check, Readiness } from '../../resources/types.js';
import { waitFor } from '../../resources/wait.js';
import type { KindPlan, World } from '../converge.js';
import type { OpContext } from '../types.js';
import { newestGeneration } from './image.js';

const PROBE_TIMEOUT_MS = 5_000;

const desiredOf = <D>(plans: readonly KindPlan[], kind: KindPlan['kind']) =>
  plans.find((p) => p.kind === kind)?.desired as D | undefined;

async function appHealth(ctx: OpContext, slug: string, actual: AppActual | undefined, desired: AppDesired) {
  const app = actual?.app;
  const fail = (detail: string): Check[] => [{ kind: 'app', name: slug, ok: false, detail }];
  if (!app) return fail('the app does not exist: run deploy');
  if (!app.active) return fail('no deployment of the app is active: run deploy');
  return [await liveCheck(ctx, app, { spec: app.active.spec ?? app.spec, verify: desired.verify })];
}

/** Pure: the droplets of `generation`, oldest first. */
export function generationDroplets(owned: readonly DropletState[], slug: string, generation: string) {
  return owned
    .filter((d) => parseDropletName(d.name, slug)?.generation === generation)
    .sort((a, b) => (a.createdAt ?? 0) - (b.createdAt ?? 0));
}

/** Droplets of a generation deployment.yml does not describe: active and answering is all that is asked. */
async function servingHealth(
  ctx: OpContext,
  desired: DesiredDroplets,
  serving: DropletState[],
  generation: string,
) {
  const { port, path } = desired.health;
  return Promise.all(
    serving.map(async (d): Promise<Check> => {
      const check = (ok: boolean, detail: string): Check => ({ kind: 'droplet', name: d.name, ok, detail });
      if (d.status !== 'active' || !d.publicIpv4)
        return check(false, `${d.status}, not active with a public IPv4`);
      const url = healthUrl(d.publicIpv4, port, path);
      try {
        const answer = await probeHealth(url, PROBE_TIMEOUT_MS, ctx.deadline.signal);
        const ok = answer.status >= 200 && answer.status <= 299;
        return check(
          ok,
          `${url} answered ${answer.status} (generation ${generation}, not deployment.yml's ${desired.generation})`,
        );
      } catch (error) {
        return check(false, `${url} did not answer: ${probeFailure(error)}`);
      }
    }),
  );
}

async function dropletHealth(
  ctx: OpContext,
  deployment: Deployment,
  actual: ActualDroplets | undefined,
  desired: DesiredDroplets,
) {
  if (desired.count === 0) return [];
  const owned = actual?.owned ?? [];
  const newest = newestGeneration(owned, desired.slug);
  const own = generationDroplets(owned, desired.slug, desired.generation);
  if (own.length > 0 || !newest) return dropletsModule.verify(ctx, deployment, desired);
  return servingHealth(ctx, desired, generationDroplets(owned, desired.slug, newest), newest);
}

/** Checks what serves; every target of the deployment at once. */
export async function healthChecks(
  ctx: OpContext,
  deployment: Deployment,
  world: World,
  plans: readonly KindPlan[],
): Promise<Check[]> {
  const app = desiredOf<AppDesired>(plans, 'app');
  const droplets = desiredOf<DesiredDroplets>(plans, 'droplet');
  const domain = desiredOf<DomainDesired>(plans, 'domain');
  const checks = await Promise.all([
    app ? appHealth(ctx, deployment.slug, world.app as AppActual | undefined, app) : [],
    droplets ? dropletHealth(ctx, deployment, world.droplet as ActualDroplets | undefined, droplets) : [],
    domain ? domainModule.verify(ctx, deployment, domain) : [],
  ]);
  return checks.flat();
}

/**
 * Droplets of the deployment's generation still booting or still in cloud-init (re-created by an
 * earlier run, or by a deploy) are waited for, within the deadline, before they are judged: undefined when none boots,
 * else how the wait ended (what was read before it is stale then).
 */
export async function bootWait(
  ctx: OpContext,
  deployment: Deployment,
  world: World,
  plans: readonly KindPlan[],
): Promise<Readiness | undefined> {
  const desired = desiredOf<DesiredDroplets>(plans, 'droplet');
  const owned = (world.droplet as ActualDroplets | undefined)?.owned ?? [];
  if (!desired || !dropletsModule.readiness) return undefined;
  const own = generationDroplets(owned, desired.slug, desired.generation);
  // Active is not serving yet: cloud-init still installs Docker and pulls the image.
  const booting = own.some((d) => d.status === 'new') || (await mayStillStart(ctx, desired, own));
  if (!booting) return undefined;
  return waitFor(ctx, 'waiting for droplets to boot', () =>
    dropletsModule.readiness!(ctx, deployment, desired),
  );
}
