/**
 * Info for the whole account: every resource of every kind, one list call per kind plus one
 * records list per domain. Without a deployment to compare with, the only conflicts info can name
 * are the account's own (droplet names used twice); ownership shows where tags prove it.
 */

import { lockFingerprint } from '../../lock/index.js';
import { isMarkedFor } from '../../resources/app/proof.js';
import { listApps, toAppState } from '../../resources/app/read.js';
import type { AppState } from '../../resources/app/types.js';
import { listRecords } from '../../resources/domain/read.js';
import { flattenDroplet } from '../../resources/droplets/model.js';
import type { SshKeyState } from '../../resources/ssh-key/model.js';
import { listSshKeys } from '../../resources/ssh-key/read.js';
import type { OpContext } from '../types.js';
import type { InfoOutcome } from './deployment-scope.js';
import { accountDomainRow } from './domain-rows.js';
import {
  appRow,
  dropletOwner,
  dropletRow,
  existingFirewall,
  firewallOwner,
  firewallRow,
  namespaceRow,
  projectRow,
  registryRow,
  sshKeyRow,
} from './flatten.js';
import {
  listDomains,
  listDroplets,
  listFirewalls,
  listNamespaces,
  listProjects,
  readRegistry,
} from './lists.js';
import type { DomainRow, InfoResult, Ownership } from './types.js';
import { duplicateNameWarnings } from './warnings.js';

/** Records lists in flight at once: a large account's domains should not arrive as one burst. */
const RECORD_LISTS_AT_ONCE = 4;

async function mapLimited<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** Each domain with its records; a domain deleted between the two lists is left out. */
async function domainRows(ctx: OpContext): Promise<DomainRow[]> {
  const names = (await listDomains(ctx)).map((d) => d.name ?? '').filter((name) => name !== '');
  const rows = await mapLimited(names, RECORD_LISTS_AT_ONCE, async (name) => {
    const records = await listRecords(ctx, name);
    return records ? accountDomainRow(name, records) : undefined;
  });
  return rows.filter((row): row is DomainRow => row !== undefined);
}

/**
 * A deployment's lock is an SSH key named `<slug>-lock…` (its name says who holds it until when)
 * whose public key derives from the slug (lib/lock): the name gives the slug, the fingerprint
 * proves it.
 */
function lockOwnership(key: SshKeyState): Ownership {
  const slug = /^(.+)-lock(?::|$)/.exec(key.name)?.[1];
  return slug !== undefined && key.fingerprint === lockFingerprint(slug) ? { owner: slug } : {};
}

const byName = <T extends { name: string }>(rows: T[]): T[] =>
  rows.sort((a, b) => a.name.localeCompare(b.name));

/** An app's owner where its spec carries the tool's marker (apps cannot carry tags). */
function appOwner(app: AppState): { owner?: string } {
  return isMarkedFor(app.spec, app.name) ? { owner: app.name } : {};
}

export async function accountInfo(ctx: OpContext): Promise<InfoOutcome> {
  const [namespaces, projects, registry, domains, droplets, firewalls, apps, keys] = await Promise.all([
    listNamespaces(ctx),
    listProjects(ctx),
    readRegistry(ctx),
    domainRows(ctx),
    listDroplets(ctx),
    listFirewalls(ctx),
    listApps(ctx),
    listSshKeys(ctx),
  ]);
  const dropletRows = byName(
    droplets.map(flattenDroplet).map((d) => {
      const owner = dropletOwner(d);
      return dropletRow(d, owner ? { owner } : {});
    }),
  );
  const result: InfoResult = {
    scope: 'account',
    namespaces: namespaces.map(namespaceRow),
    domains: byName(domains),
    apps: byName(apps.map((app) => appRow(toAppState(app), appOwner(toAppState(app))))),
    droplets: dropletRows,
    registry: registry.registry ? registryRow(registry.registry, registry.repositories) : null,
    firewalls: byName(
      firewalls.map(existingFirewall).map((fw) => {
        const owner = firewallOwner(fw);
        return firewallRow(fw, owner ? { owner } : {});
      }),
    ),
    projects: byName(projects.map(projectRow)),
    ssh_keys: byName(keys.map((key) => sshKeyRow(key, lockOwnership(key)))),
  };
  return { result, warnings: duplicateNameWarnings(dropletRows) };
}
