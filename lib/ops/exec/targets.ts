/**
 * What an exec target names, found with list calls: droplets by the deployment's tag (owned only:
 * both ownership tags), the app by its exact name. A target that names nothing of ours is an
 * InputError listing what can be named; a foreign look-alike is named as such and never touched.
 */
import type { App, Droplet } from '@digitalocean/dots';
import { isOwnedByTags, OWNER_TAG } from '../../config/identity.js';
import { listAll, toApiError } from '../../do/index.js';
import { ConflictError, InputError, OperationError } from '../../errors.js';
import type { OpContext } from '../types.js';
import type { ExecTarget } from './input.js';

export interface DropletTarget {
  kind: 'droplet';
  /** The droplet's name: how results name it. */
  target: string;
  id: number;
  status: string;
  /** Public IPv4, where it has one. */
  host: string | undefined;
}

export interface AppTarget {
  kind: 'app';
  /** `app/<component>` or `app/<component>/<instance>`. */
  target: string;
  appId: string;
  appName: string;
  component: string;
  instance?: string;
}

export type ResolvedTarget = DropletTarget | AppTarget;

/** Pure: the deployment's droplets as exec sees them, owned and foreign (slug tag only) apart. */
export function sortDroplets(droplets: readonly Droplet[], slug: string) {
  const view = (d: Droplet): DropletTarget => ({
    kind: 'droplet',
    target: d.name ?? '',
    id: d.id ?? 0,
    status: String(d.status ?? 'unknown'),
    host: d.networks?.v4?.find((n) => n.type === 'public')?.ipAddress ?? undefined,
  });
  const named = droplets.filter((d) => d.name);
  return {
    owned: named.filter((d) => isOwnedByTags(d.tags, slug)).map(view),
    foreign: named.filter((d) => !isOwnedByTags(d.tags, slug)).map(view),
  };
}

/** Pure: the components of an app that have instances to run commands in. */
export function consoleComponents(app: App | undefined): string[] {
  const spec = app?.spec;
  return [...(spec?.services ?? []), ...(spec?.workers ?? [])]
    .map((component) => component.name ?? '')
    .filter((name) => name !== '');
}

/** Pure: every target the deployment offers, for error messages. */
export function validTargets(owned: readonly DropletTarget[], app: App | undefined): string[] {
  const droplets = owned.map((d) => d.target).sort();
  return [
    ...droplets,
    ...(droplets.length > 0 ? ['droplets'] : []),
    ...consoleComponents(app).map((c) => `app/${c}`),
  ];
}

async function listDroplets(ctx: OpContext, slug: string): Promise<Droplet[]> {
  try {
    return await listAll(
      async (page, perPage) => {
        const r = await ctx.api.client.v2.droplets.get({ queryParameters: { page, perPage, tagName: slug } });
        return { items: r?.droplets, links: r?.links, meta: r?.meta };
      },
      { what: `droplets tagged ${slug}` },
    );
  } catch (error) {
    throw toApiError(error, { action: 'list', resource: `droplets tagged ${slug}` });
  }
}

/** Apps are not taggable: the deployment's app is the one named exactly after it. */
async function findApp(ctx: OpContext, slug: string): Promise<App | undefined> {
  try {
    const apps = await listAll(
      async (page, perPage) => {
        const r = await ctx.api.client.v2.apps.get({ queryParameters: { page, perPage } });
        return { items: r?.apps, links: r?.links, meta: r?.meta };
      },
      { what: 'apps' },
    );
    return apps.find((app) => app.spec?.name === slug);
  } catch (error) {
    throw toApiError(error, { action: 'list', resource: 'apps' });
  }
}

export async function resolveTargets(
  ctx: OpContext,
  slug: string,
  target: ExecTarget,
): Promise<ResolvedTarget[]> {
  if (target.kind === 'app') return [await resolveApp(ctx, slug, target)];
  const { owned, foreign } = sortDroplets(await listDroplets(ctx, slug), slug);
  if (target.kind === 'droplets') {
    if (owned.length > 0) return owned.sort((a, b) => a.target.localeCompare(b.target));
    throw await unknownTarget(ctx, slug, `${slug} has no droplets`, owned);
  }
  const matches = owned.filter((d) => d.target === target.name);
  if (matches.length === 1) return matches;
  if (matches.length > 1) {
    throw new ConflictError(
      `${matches.length} droplets of ${slug} are named ${target.name} (ids ${matches.map((d) => d.id).join(', ')}): exec cannot tell which one is meant.`,
      { hint: 'Run deploy to converge the droplets (it keeps one per name), or use the `droplets` target.' },
    );
  }
  const lookAlike = foreign.find((d) => d.target === target.name);
  const why = lookAlike
    ? `droplet ${target.name} (${lookAlike.id}) carries the tag ${slug} but not ${OWNER_TAG}, so it is not managed by this tool and exec will not touch it`
    : `"${target.name}" is not a droplet of ${slug}`;
  throw await unknownTarget(ctx, slug, why, owned);
}

async function resolveApp(
  ctx: OpContext,
  slug: string,
  target: Extract<ExecTarget, { kind: 'app' }>,
): Promise<AppTarget> {
  const app = await findApp(ctx, slug);
  const name = `app/${target.component}${target.instance ? `/${target.instance}` : ''}`;
  if (!app?.id) throw await unknownTarget(ctx, slug, `${slug} has no app`, undefined, null);
  if (!consoleComponents(app).includes(target.component)) {
    throw await unknownTarget(
      ctx,
      slug,
      `app ${slug} has no service or worker named ${target.component}`,
      undefined,
      app,
    );
  }
  if (!app.activeDeployment?.id) {
    throw new OperationError(`App ${slug} has no active deployment yet, so ${name} has nothing running.`, {
      hint: 'Deploy it, or wait for its first deployment to go live, then run the command again.',
    });
  }
  return {
    kind: 'app',
    target: name,
    appId: app.id,
    appName: slug,
    component: target.component,
    ...(target.instance ? { instance: target.instance } : {}),
  };
}

/** The InputError for a target that names nothing of ours; reads what is missing to list every valid target. */
async function unknownTarget(
  ctx: OpContext,
  slug: string,
  why: string,
  owned?: readonly DropletTarget[],
  /** null: already known to be absent. */
  app?: App | null,
): Promise<InputError> {
  const [droplets, found] = await Promise.all([
    owned ?? listDroplets(ctx, slug).then((list) => sortDroplets(list, slug).owned),
    app === undefined ? findApp(ctx, slug) : (app ?? undefined),
  ]);
  const valid = validTargets(droplets, found);
  const list =
    valid.length > 0
      ? `valid targets: ${valid.join(', ')}`
      : `${slug} has nothing to run commands in yet (no droplets, no app): deploy it first`;
  return new InputError('The exec input', [{ path: 'target', message: `${why}; ${list}` }]);
}
