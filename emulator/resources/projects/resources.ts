import { badRequest } from '../../core/http-error.js';
import { type AppsService, type DomainsService, type DropletsService, service } from '../../core/services.js';

/**
 * Resource types a project holds. The spec's URN pattern leaves out `app`, but DigitalOcean
 * assigns apps to projects (its prose says so), so the emulator accepts `do:app:<uuid>` too.
 */
const URN = /^do:(app|dbaas|domain|droplet|floatingip|kubernetes|loadbalancer|space|volume|vpc):(.+)$/;

/** Where each resource type is read in the API (`links.self`); Spaces buckets have no API path. */
const API_PATHS: Record<string, string | undefined> = {
  app: '/v2/apps/',
  dbaas: '/v2/databases/',
  domain: '/v2/domains/',
  droplet: '/v2/droplets/',
  floatingip: '/v2/floating_ips/',
  kubernetes: '/v2/kubernetes/clusters/',
  loadbalancer: '/v2/load_balancers/',
  volume: '/v2/volumes/',
  vpc: '/v2/vpcs/',
};

export interface ParsedUrn {
  urn: string;
  type: string;
  id: string;
}

export function parseUrns(value: unknown): ParsedUrn[] {
  if (!Array.isArray(value) || value.length === 0) throw badRequest('resources must list at least one urn');
  return value.map((urn) => {
    const match = typeof urn === 'string' ? URN.exec(urn) : null;
    if (!match)
      throw badRequest(
        'resource objects must have an urn in the following format: do:resource_type:resource_id',
      );
    return { urn: urn as string, type: match[1]!, id: match[2]! };
  });
}

/** Finds out whether a resource exists, through the module that owns it when it is present. */
export class ResourceResolver {
  constructor(private readonly services: Map<string, unknown>) {}

  /** `false` when the owning module says it does not exist, `true` otherwise (no module: trusted). */
  exists({ type, id }: ParsedUrn): boolean {
    if (type === 'droplet') {
      const droplets = service<DropletsService>(this.services, 'droplets');
      return !droplets || (/^\d+$/.test(id) && droplets.get(Number(id)) !== undefined);
    }
    if (type === 'domain') return service<DomainsService>(this.services, 'domains')?.exists(id) ?? true;
    if (type === 'app') return service<AppsService>(this.services, 'apps')?.exists(id) ?? true;
    return true;
  }

  /** Droplets DigitalOcean files under the default project until they are assigned elsewhere. */
  dropletUrns(): string[] {
    return (service<DropletsService>(this.services, 'droplets')?.list() ?? []).map(
      (d) => `do:droplet:${d.id}`,
    );
  }
}

export function selfLink(baseUrl: string, { type, id }: ParsedUrn): { self: string } | undefined {
  const path = API_PATHS[type];
  return path === undefined ? undefined : { self: `${baseUrl}${path}${encodeURIComponent(id)}` };
}

export function parseUrn(urn: string): ParsedUrn {
  const match = URN.exec(urn);
  return { urn, type: match?.[1] ?? '', id: match?.[2] ?? '' };
}
