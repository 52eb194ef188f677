/**
 * Registry clean-up. Pushing a tag again leaves the manifest it pointed at untagged, and its storage
 * is given back only by garbage collection. The registry is the account's, shared by every
 * environment, so maintain starts one only in the registry deployment.yml names, and never while
 * an app of the account runs an untagged manifest by digest (collection would delete it).
 */
import { componentsOf } from '../../config/app-spec.js';
import type { Deployment } from '../../config/manifest.js';
import { ApiError, isNotFound, listAll, toApiError } from '../../do/index.js';
import type { AppState } from '../../resources/app/index.js';
import { listApps, toAppState } from '../../resources/app/read.js';
import { mutate } from '../../resources/mutate.js';
import type { RegistryActual } from '../../resources/registry/index.js';
import type { World } from '../converge.js';
import type { OpContext } from '../types.js';
import { docrRepositoryOf } from './image.js';
import type { GarbageReport } from './types.js';

export const GC_TYPE = 'untagged manifests and unreferenced blobs';

export interface GarbagePlan {
  registry: string;
  /** `repository@digest` of every untagged manifest in the deployment's repositories. */
  untagged: string[];
  /** A collection already running (its uuid). */
  running?: string;
  /** Why collecting now would harm something. */
  blocked?: string;
}

interface ManifestView {
  digest: string;
  tags: readonly string[];
}

/** Pure: the repositories of the registry the deployment's app and droplets pull from. */
export function deploymentRepositories(deployment: Deployment, registry: string): string[] {
  const fromApp = deployment.app
    ? componentsOf(deployment.app.spec).flatMap(({ component }) =>
        component.image?.registry_type === 'DOCR' ? [component.image.repository] : [],
      )
    : [];
  const container = deployment.droplets ? docrRepositoryOf(deployment.droplets.container.image) : undefined;
  const fromDroplets = container?.registry === registry ? [container.repository] : [];
  return [...new Set([...fromApp, ...fromDroplets])].sort();
}

/** Pure: the manifests no tag points at. */
export function untaggedDigests(repository: string, manifests: readonly ManifestView[]): string[] {
  return manifests.filter((m) => m.tags.length === 0).map((m) => `${repository}@${m.digest}`);
}

/** Pure: digests (`repository@digest`) that DOCR images of these apps, live or current, pin. */
export function pinnedDigests(apps: readonly AppState[]): Set<string> {
  const pinned = new Set<string>();
  for (const app of apps) {
    for (const spec of [app.spec, app.active?.spec, app.inProgress?.spec]) {
      for (const { component } of spec ? componentsOf(spec) : []) {
        const image = component.image;
        if (image?.registry_type === 'DOCR' && image.digest)
          pinned.add(`${image.repository}@${image.digest}`);
      }
    }
  }
  return pinned;
}

async function manifestsOf(ctx: OpContext, registry: string, repository: string): Promise<ManifestView[]> {
  const repo = ctx.api.client.v2.registry
    .byRegistry_name(registry)
    .repositories.byRepository_name(repository);
  try {
    const manifests = await listAll(
      async (page, perPage) => {
        const r = await repo.digests.get({ queryParameters: { page, perPage } });
        return { items: r?.manifests, links: r?.links, meta: r?.meta };
      },
      { what: `manifests of ${registry}/${repository}` },
    );
    return manifests.flatMap((m) => (m.digest ? [{ digest: m.digest, tags: m.tags ?? [] }] : []));
  } catch (error) {
    if (isNotFound(error)) return [];
    throw toApiError(error, { action: 'list the manifests of', resource: `${registry}/${repository}` });
  }
}

async function runningCollection(ctx: OpContext, registry: string): Promise<string | undefined> {
  try {
    const r = await ctx.api.client.v2.registry.byRegistry_name(registry).garbageCollection.get();
    return r?.garbageCollection?.uuid ?? 'unknown';
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw toApiError(error, { action: 'read the garbage collection of', resource: `registry ${registry}` });
  }
}

/** What there is to collect; undefined when nothing (or the registry is not the manifest's). */
export async function findGarbage(
  ctx: OpContext,
  deployment: Deployment,
  world: World,
): Promise<GarbagePlan | undefined> {
  const registry = (world.registry as RegistryActual | undefined)?.registry?.name;
  if (!deployment.registry || registry !== deployment.registry.name) return undefined;
  const repositories = deploymentRepositories(deployment, registry);
  const lists = await Promise.all(
    repositories.map(async (r) => untaggedDigests(r, await manifestsOf(ctx, registry, r))),
  );
  const untagged = lists.flat();
  if (untagged.length === 0) return undefined;
  const [apps, running] = await Promise.all([listApps(ctx), runningCollection(ctx, registry)]);
  const pinned = pinnedDigests(apps.map(toAppState));
  // The droplets' container, pinned by digest, is pulled again whenever a droplet is re-created.
  const container = deployment.droplets?.container.image ?? '';
  const where = docrRepositoryOf(container);
  const digest = container.split('@')[1];
  if (where && digest) pinned.add(`${where.repository}@${digest}`);
  const used = untagged.filter((d) => pinned.has(d));
  return {
    registry,
    untagged,
    ...(running ? { running } : {}),
    ...(used.length > 0
      ? {
          blocked: `${used.join(', ')} ${used.length === 1 ? 'is' : 'are'} untagged but pinned by digest in a deployment: tag ${used.length === 1 ? 'it' : 'them'} or deploy another image first`,
        }
      : {}),
  };
}

/** Pure: what a run that does not collect says about the plan. */
export function garbageReport(plan: GarbagePlan, reportOnly: boolean): GarbageReport {
  const base = { registry: plan.registry, untagged_manifests: plan.untagged.length };
  if (plan.blocked) return { ...base, state: 'skipped', detail: plan.blocked };
  if (plan.running)
    return {
      ...base,
      state: 'running',
      uuid: plan.running,
      detail: 'a garbage collection is already running',
    };
  return {
    ...base,
    state: reportOnly ? 'would start' : 'skipped',
    detail: `${plan.untagged.length} untagged manifest(s): ${plan.untagged.join(', ')}`,
  };
}

/**
 * Starts a collection (the registry turns read-only until it ends, so pushes wait). One that another
 * caller started meanwhile (409) counts as running.
 */
export async function collectGarbage(
  ctx: OpContext,
  slug: string,
  plan: GarbagePlan,
): Promise<GarbageReport> {
  const base = { registry: plan.registry, untagged_manifests: plan.untagged.length };
  try {
    const r = await mutate(
      ctx,
      slug,
      { kind: 'registry', name: plan.registry, action: 'garbage collection' },
      () =>
        ctx.api.client.v2.registry.byRegistry_name(plan.registry).garbageCollection.post({ type: GC_TYPE }),
    );
    const uuid = r?.garbageCollection?.uuid ?? undefined;
    return {
      ...base,
      state: 'started',
      ...(uuid ? { uuid } : {}),
      detail: `removes ${plan.untagged.length} untagged manifest(s) and unreferenced blobs; the registry is read-only until it ends`,
    };
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 409)) throw error;
    return { ...base, state: 'running', detail: 'a garbage collection started meanwhile is running' };
  }
}
