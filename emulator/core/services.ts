/**
 * What resource modules offer each other through `core.services` (set by the owning module at
 * register time, read lazily by others at request time).
 */

export interface DropletView {
  id: number;
  name: string;
  tags: string[];
  /** `new`, `active`, `off`, `archive` — derived from the virtual clock when read. */
  status: string;
  region: string;
  publicIpv4: string | undefined;
}

/** Set by the droplets module as `services.set('droplets', …)`. */
export interface DropletsService {
  get(id: number): DropletView | undefined;
  list(): DropletView[];
  listByTag(tag: string): DropletView[];
}

/** Set by the tags module as `services.set('tags', …)`: tags are created on first use by droplets, firewalls… */
export interface TagsService {
  ensure(name: string): void;
  exists(name: string): boolean;
}

/** A host name's records in the account's DNS, as a resolver asking DigitalOcean's nameservers sees them. */
export interface HostRecords {
  /** The account's zone that holds the host (the longest one it ends with). */
  zone: string;
  /** The records at the host's name, or those of a wildcard (`*`) covering it when it has none. */
  records: {
    type: string;
    data: string /** Virtual ms of the record's last create or update. */;
    since: number;
  }[];
}

/** Set by the domains module as `services.set('domains', …)`. */
export interface DomainsService {
  exists(name: string): boolean;
  /** Undefined when no zone of the account holds `host` (its DNS is served elsewhere). */
  lookup(host: string): HostRecords | undefined;
}

/** Set by the apps module as `services.set('apps', …)`. */
export interface AppsService {
  exists(id: string): boolean;
}

export function service<T>(services: Map<string, unknown>, name: string): T | undefined {
  return services.get(name) as T | undefined;
}
