/**
 * Pure: the warnings info adds to the resource modules' own (look-alikes, owned duplicates, DNS
 * names taken over, registry name): each says what is wrong and what to do about it.
 */
import { type AppSpec, componentsOf } from '../../config/app-spec.js';
import type { Deployment } from '../../config/manifest.js';
import { isExpired, parseHolder } from '../../lock/index.js';
import { type AppDesired, type AppState, customHosts, ownershipOf } from '../../resources/app/index.js';
import type { DomainActual, DomainDesired } from '../../resources/domain/index.js';
import { keyOf, sameKey } from '../../resources/domain/records.js';
import type { ActualDroplets } from '../../resources/droplets/index.js';
import type { FirewallActual } from '../../resources/firewall/index.js';
import type { ActualSshKeys, DesiredSshKey, SshKeyState } from '../../resources/ssh-key/index.js';
import type { DropletRow } from './types.js';

/** The manifest names a domain the account does not hold: information, not an error. */
export function domainMissingWarning(actual: DomainActual | undefined): string[] {
  if (!actual?.domain || actual.exists) return [];
  return [
    `Domain ${actual.domain} (domain.name in deployment.yml) is not in this account yet: deploy creates it. ` +
      'Its records answer on the internet only once the registrar delegates it to ns1, ns2 and ns3.digitalocean.com.',
  ];
}

/**
 * Managed names pointing elsewhere that the domain module's own warning does not cover: names whose
 * target does not exist yet (nothing to compare with), and names holding a foreign value beside ours.
 */
export function dnsElsewhereWarnings(
  actual: DomainActual | undefined,
  desired: DomainDesired | undefined,
): string[] {
  if (!actual?.exists || !desired) return [];
  const warnings: string[] = [];
  for (const pending of desired.pending) {
    const present = actual.records.filter((r) => sameKey(r, pending));
    if (present.length === 0) continue;
    warnings.push(
      `DNS ${keyOf(pending)}.${desired.domain} points at ${present.map((r) => r.data).join(', ')}, which cannot be ` +
        `this deployment's: it has no ${pending.waitingFor} yet. Deploy rewrites the record once they exist; ` +
        'if something else still needs that name, change domain.records in deployment.yml first.',
    );
  }
  for (const set of desired.sets) {
    const present = actual.records.filter((r) => sameKey(r, set));
    const foreign = present.filter((r) => !set.values.includes(r.data));
    if (foreign.length === 0 || foreign.length === present.length) continue;
    warnings.push(
      `DNS ${keyOf(set)}.${desired.domain} also points at ${foreign.map((r) => r.data).join(', ')}, besides this ` +
        `deployment's ${set.values.join(', ')}: part of the traffic goes elsewhere, and the next deploy removes it.`,
    );
  }
  return warnings;
}

const KIND_WORD: Record<string, string> = {
  services: 'service',
  workers: 'worker',
  jobs: 'job',
  static_sites: 'static site',
};

/** Components by kind, name and source: what makes an app this deployment's app rather than another. */
export function appShape(spec: AppSpec): string[] {
  return componentsOf(spec)
    .map(({ kind, component }) => {
      const image = component.image;
      const source = image
        ? `image ${image.registry ? `${image.registry}/` : ''}${image.repository}`
        : 'source code';
      return `${KIND_WORD[kind] ?? kind} ${component.name} (${source})`;
    })
    .sort();
}

/**
 * The deployment's app (it carries the tool's owner marker) whose components are not the
 * manifest's: a deploy would replace its spec wholesale, which is worth saying before anyone
 * deploys. An app with the deployment's name but no proof is the module's own warning.
 */
export function appShapeWarning(app: AppState | undefined, desired: AppDesired | undefined): string[] {
  if (!app || !desired) return [];
  if (ownershipOf(app, desired.spec, desired.adopt).state === 'unproven') return [];
  const have = appShape(app.spec);
  const want = appShape(desired.spec);
  if (have.join('\n') === want.join('\n')) return [];
  return [
    `App ${app.name} (${app.id}) is this deployment's but not shaped like deployment.yml's app: it has ` +
      `${have.join(', ') || 'no components'}; deployment.yml has ${want.join(', ') || 'no components'}. ` +
      "The next deploy replaces its spec with deployment.yml's.",
  ];
}

/**
 * A host deployment.yml points at the app that App Platform does not serve yet: its domain is not
 * ACTIVE (DNS not seen pointing at the app, or the certificate not issued yet).
 */
export function appDomainWarnings(
  deployment: Deployment,
  app: AppState | undefined,
  desired: AppDesired | undefined,
): string[] {
  if (!app || !desired) return [];
  return customHosts(deployment, desired.spec).flatMap(({ host }) => {
    const domain = app.domains?.find((d) => d.domain === host);
    if (!domain || domain.phase === 'ACTIVE') return [];
    return [
      `App ${app.name} does not serve ${host} yet: App Platform reports its domain ${domain.phase}` +
        `${domain.reason ? ` (${domain.reason})` : ''}. Deploy waits for it and says what holds it up ` +
        `(a record pointing elsewhere, a zone not delegated to DigitalOcean's nameservers).`,
    ];
  });
}

/** Our key by name holds another public key than the manifest's: the next deploy swaps it. */
export function sshKeyWarning(
  actual: ActualSshKeys | undefined,
  desired: DesiredSshKey | undefined,
): string[] {
  const named = actual?.named;
  if (!named || !desired || named.fingerprint === desired.fingerprint) return [];
  return [
    `SSH key ${named.name} (${named.id}) holds a public key (fingerprint ${named.fingerprint}) other than ` +
      `droplets.ssh_key's (${desired.fingerprint}): the next deploy swaps it for the manifest's key; droplets ` +
      'created before keep accepting the old one until they are replaced.',
  ];
}

/**
 * The deployment's lock key past its lease: a run stopped before releasing it. A live lock is an
 * operation at work, not a conflict (status shows it); a stale one is a key left in the account.
 */
export function staleLockWarning(slug: string, key: SshKeyState | undefined, now: number): string[] {
  const holder = key && parseHolder(slug, key.name);
  if (!key || !holder || !isExpired(holder, now)) return [];
  return [
    `SSH key ${key.id} "${key.name}" is the lock of ${slug}, left by ${holder.op} ${holder.holder}, expired ` +
      `${new Date(holder.until).toISOString()}: the next teardown removes it, as does the next deploy or edit that changes something.`,
  ];
}

export interface OwnedLeftovers {
  droplets?: ActualDroplets;
  firewall?: FirewallActual;
  app?: AppState;
  sshKeys?: ActualSshKeys;
}

/**
 * Resources the deployment still owns of a kind its manifest no longer has a section for: deploy
 * skips absent sections (never destroying them), so these stay until teardown (which finds them by
 * name and tags) or someone deletes them.
 */
export function leftoverWarnings(deployment: Deployment, owned: OwnedLeftovers): string[] {
  const leftovers: Array<{ section: string; what: string }> = [];
  const droplets = owned.droplets?.owned ?? [];
  if (!deployment.droplets && droplets.length > 0) {
    const names = droplets.map((d) => d.name).join(', ');
    leftovers.push({ section: 'droplets', what: `${droplets.length} droplet(s) (${names})` });
  }
  if (!deployment.droplets && owned.sshKeys?.named) {
    leftovers.push({ section: 'droplets', what: `SSH key ${owned.sshKeys.named.name}` });
  }
  const firewall = owned.firewall?.owned[0];
  if (!deployment.firewall && firewall)
    leftovers.push({ section: 'firewall', what: `firewall ${firewall.name}` });
  if (!deployment.app && owned.app) leftovers.push({ section: 'app', what: `app ${owned.app.name}` });
  return leftovers.map(
    ({ section, what }) =>
      `deployment.yml has no ${section} section for ${deployment.environment}, yet ${deployment.slug} still owns ` +
      `${what}: deploy skips absent sections, so it stays (and is billed) until teardown deletes it, or ` +
      'it is deleted by hand.',
  );
}

/** A repository of the account's registry that the deployment pulls from. */
export interface RepositoryUse {
  /** The registry named in the reference; undefined for App Platform's DOCR (the account's). */
  registry?: string;
  repository: string;
  tag: string;
  /** Where deployment.yml refers to it. */
  where: string;
}

/** Images the deployment takes from the account's registry: app components and the droplets' container. */
export function repositoriesUsed(deployment: Deployment): RepositoryUse[] {
  const uses: RepositoryUse[] = [];
  for (const { component } of deployment.app ? componentsOf(deployment.app.spec) : []) {
    const image = component.image;
    if (image?.registry_type !== 'DOCR') continue;
    uses.push({
      repository: image.repository,
      tag: image.digest ?? image.tag ?? 'latest',
      where: `app component ${component.name}`,
    });
  }
  const container = deployment.droplets?.container.image;
  const match = container?.match(/^registry\.digitalocean\.com\/([^/]+)\/([^:@]+)(?:[:@](.+))?$/);
  if (match) {
    uses.push({
      registry: match[1]!,
      repository: match[2]!,
      tag: match[3] ?? 'latest',
      where: 'droplets.container.image',
    });
  }
  return uses;
}

/** Images the deployment needs that the account's registry does not hold (or cannot, by name). */
export function repositoryWarnings(
  uses: readonly RepositoryUse[],
  registry: { name: string; repositories: readonly { name: string }[] } | undefined,
): string[] {
  if (!registry) return [];
  return uses.flatMap((use) => {
    if (use.registry && use.registry !== registry.name) {
      return [
        `${use.where} pulls from registry ${use.registry}, but the account's registry is ${registry.name} ` +
          `(one per account): point it at registry.digitalocean.com/${registry.name}/${use.repository}.`,
      ];
    }
    if (registry.repositories.some((r) => r.name === use.repository)) return [];
    return [
      `Repository ${use.repository} (${use.where}) is not in registry ${registry.name}: push ` +
        `registry.digitalocean.com/${registry.name}/${use.repository}:${use.tag} before deploying, or it has nothing to run.`,
    ];
  });
}

/** Account scope: droplet names DigitalOcean lets repeat, which people and exec pick droplets by. */
export function duplicateNameWarnings(droplets: readonly DropletRow[]): string[] {
  const byName = new Map<string, DropletRow[]>();
  for (const d of droplets) byName.set(d.name, [...(byName.get(d.name) ?? []), d]);
  return [...byName]
    .filter(([, group]) => group.length > 1)
    .map(([name, group]) => {
      const owner = group[0]?.owner;
      const allOwned = owner !== undefined && group.every((d) => d.owner === owner);
      return (
        `${group.length} droplets are named ${name} (ids ${group.map((d) => d.id).join(', ')}): ` +
        (allOwned
          ? `all belong to ${owner}, whose next deploy keeps the oldest and deletes the others.`
          : 'names are not unique on DigitalOcean, but people and exec pick droplets by name; rename or delete the extra ones.')
      );
    });
}
