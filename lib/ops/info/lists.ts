/**
 * The account-wide lists info needs beyond what the resource modules read: one list call per kind
 * (listAll, 200 per page), never a get per item. The resource modules keep their own readers; these
 * are the kinds no module owns (namespaces, projects, the registry's repositories) and the whole
 * account's droplets, firewalls and domains for `scope: account`.
 */
import type {
  Domain,
  Droplet,
  Firewall,
  Namespace_info,
  Project,
  Registry,
  Repository_v2,
} from '@digitalocean/dots';
import { isNotFound, listAll, toApiError } from '../../do/index.js';
import type { OpContext } from '../types.js';

async function listing<T>(what: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw toApiError(error, { action: 'list', resource: what });
  }
}

/**
 * DigitalOcean answers the namespaces list whole (at most a handful per account). Each carries its
 * OpenWhisk key: the redactor learns it at once, so no later log line or report can show it.
 */
export async function listNamespaces(ctx: OpContext): Promise<Namespace_info[]> {
  const all = await listing('Functions namespaces', () =>
    listAll(async () => ({ items: (await ctx.api.client.v2.functions.namespaces.get())?.namespaces }), {
      what: 'Functions namespaces',
    }),
  );
  for (const ns of all) ctx.log.redactor.add(ns.key);
  return all;
}

export async function listProjects(ctx: OpContext): Promise<Project[]> {
  return listing('projects', () =>
    listAll(
      async (page, perPage) => {
        const r = await ctx.api.client.v2.projects.get({ queryParameters: { page, perPage } });
        return { items: r?.projects, links: r?.links, meta: r?.meta };
      },
      { what: 'projects' },
    ),
  );
}

export interface RegistryListing {
  registry: Registry | undefined;
  repositories: Repository_v2[];
}

/**
 * The registry (404 when the account has none) and its repositories in one list: repositoriesV2
 * carries the tag count and the newest manifest's tags, so no per-repository call is needed.
 */
export async function readRegistry(ctx: OpContext): Promise<RegistryListing> {
  let registry: Registry | undefined;
  try {
    registry = (await ctx.api.client.v2.registry.get())?.registry ?? undefined;
  } catch (error) {
    if (isNotFound(error)) return { registry: undefined, repositories: [] };
    throw toApiError(error, { action: 'read', resource: 'the container registry' });
  }
  const name = registry?.name;
  if (!name) return { registry, repositories: [] };
  const repositories = await listing(`repositories of registry ${name}`, () =>
    listAll(
      async (page, perPage) => {
        const r = await ctx.api.client.v2.registry
          .byRegistry_name(name)
          .repositoriesV2.get({ queryParameters: { page, perPage } });
        return { items: r?.repositories, links: r?.links, meta: r?.meta };
      },
      { what: `repositories of registry ${name}` },
    ),
  );
  return { registry, repositories };
}

export async function listDomains(ctx: OpContext): Promise<Domain[]> {
  return listing('domains', () =>
    listAll(
      async (page, perPage) => {
        const r = await ctx.api.client.v2.domains.get({ queryParameters: { page, perPage } });
        return { items: r?.domains, links: r?.links, meta: r?.meta };
      },
      { what: 'domains' },
    ),
  );
}

export async function listDroplets(ctx: OpContext): Promise<Droplet[]> {
  return listing('droplets', () =>
    listAll(
      async (page, perPage) => {
        const r = await ctx.api.client.v2.droplets.get({ queryParameters: { page, perPage } });
        return { items: r?.droplets, links: r?.links, meta: r?.meta };
      },
      { what: 'droplets' },
    ),
  );
}

export async function listFirewalls(ctx: OpContext): Promise<Firewall[]> {
  return listing('firewalls', () =>
    listAll(
      async (page, perPage) => {
        const r = await ctx.api.client.v2.firewalls.get({ queryParameters: { page, perPage } });
        return { items: r?.firewalls, links: r?.links, meta: r?.meta };
      },
      { what: 'firewalls' },
    ),
  );
}
