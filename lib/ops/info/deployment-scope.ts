/**
 * Info for one deployment: what it owns and what collides with it. Ownership is the resource
 * modules' business: their read functions sort owned from look-alike and their `warnings` speak
 * about it; this file turns their actual state into rows and adds the warnings only info gives.
 */
import type { App, Project, Registry } from '@digitalocean/dots';
import { firewallName, OWNER_TAG, sshKeyName } from '../../config/identity.js';
import type { Deployment } from '../../config/manifest.js';
import { lockFingerprint } from '../../lock/index.js';
import type { AppActual, AppDesired } from '../../resources/app/index.js';
import { ownershipOf, specDifferences } from '../../resources/app/index.js';
import { listApps, sortApps, toAppState } from '../../resources/app/read.js';
import type { DomainActual, DomainDesired } from '../../resources/domain/index.js';
import type { ActualDroplets } from '../../resources/droplets/index.js';
import type { FirewallActual } from '../../resources/firewall/index.js';
import type { ExistingRegistry, RegistryActual } from '../../resources/registry/index.js';
import type { ActualSshKeys, DesiredSshKey } from '../../resources/ssh-key/index.js';
import { actualSshKeys, desiredSshKey } from '../../resources/ssh-key/model.js';
import { listSshKeys } from '../../resources/ssh-key/read.js';
import {
  factsOf,
  KINDS,
  type Kind,
  type KindPlan,
  moduleOf,
  readWorld,
  type World,
  warningsOf,
} from '../converge.js';
import type { OpContext } from '../types.js';
import { deploymentDomainRow } from './domain-rows.js';
import {
  appRow,
  dropletRow,
  firewallRow,
  namespaceRow,
  projectRow,
  registryRow,
  sshKeyRow,
} from './flatten.js';
import { listNamespaces, listProjects, readRegistry } from './lists.js';
import type { AppRow, DropletRow, FirewallRow, InfoResult, SshKeyRow } from './types.js';
import {
  appDomainWarnings,
  appShapeWarning,
  dnsElsewhereWarnings,
  domainMissingWarning,
  leftoverWarnings,
  repositoriesUsed,
  repositoryWarnings,
  sshKeyWarning,
  staleLockWarning,
} from './warnings.js';

/** Kinds read through their module's `read`; SSH keys, apps and the registry are read here (see below). */
const MODULE_READS: readonly Kind[] = ['firewall', 'droplet', 'domain'];

/** How many spec differences an app row carries: enough to recognise the drift, not the whole diff. */
const SHOWN_DIFFERENCES = 10;

export interface InfoOutcome {
  result: InfoResult;
  warnings: string[];
}

function existingRegistry(registry: Registry | undefined): ExistingRegistry | undefined {
  if (!registry?.name) return undefined;
  return {
    name: registry.name,
    region: registry.region ?? undefined,
    tier: registry.subscription?.tier?.slug ?? undefined,
  };
}

/** Apps whose look-alikes get full rows too: the module's own sorting, on the list read once. */
function appRows(
  apps: readonly App[],
  actual: AppActual,
  slug: string,
  desired: AppDesired | undefined,
): AppRow[] {
  const rows: AppRow[] = [];
  if (actual.app) {
    const differences = desired
      ? specDifferences(desired.spec, actual.app.spec).slice(0, SHOWN_DIFFERENCES)
      : [];
    const ownership = ownershipOf(actual.app, desired?.spec, desired?.adopt);
    rows.push(
      appRow(
        actual.app,
        ownership.state === 'unproven'
          ? { note: `named like ${slug}'s app, but no proof this tool made it (${ownership.why})` }
          : { owner: slug },
        differences,
      ),
    );
  }
  for (const lookAlike of actual.lookAlikes) {
    const app = apps.find((a) => a.id === lookAlike.id);
    if (app) rows.push(appRow(toAppState(app), { note: `named like ${slug}'s app, but not its exact name` }));
  }
  return rows;
}

function sshKeyRows(actual: ActualSshKeys | undefined, slug: string): SshKeyRow[] {
  const rows: SshKeyRow[] = [];
  if (actual?.named) rows.push(sshKeyRow(actual.named, { owner: slug }));
  const matching = actual?.matching;
  if (matching && matching.id !== actual?.named?.id) {
    rows.push(
      sshKeyRow(matching, { note: "holds droplets.ssh_key's public key under another name: used as it is" }),
    );
  }
  return rows;
}

/** The default project (where resources land when none is named) and projects named for the deployment. */
function isDeploymentProject(project: Project, deployment: Deployment): boolean {
  const name = (project.name ?? '').toLowerCase();
  return (
    project.isDefault === true || name === deployment.name.toLowerCase() || name.startsWith(deployment.slug)
  );
}

function byName<T extends { name: string }>(rows: T[]): T[] {
  return rows.sort((a, b) => a.name.localeCompare(b.name));
}

/** Owned droplets first, then the look-alikes with why they are not the deployment's. */
function dropletRows(actual: ActualDroplets): DropletRow[] {
  const slug = actual.slug;
  const why = { tag: `tagged ${slug} without ${OWNER_TAG}`, name: `named like ${slug}'s, without its tags` };
  return [
    ...byName(actual.owned.map((d) => dropletRow(d, { owner: slug }))),
    ...byName(actual.lookalikes.map((l) => dropletRow(l.droplet, { note: why[l.why] }))),
  ];
}

function firewallRows(actual: FirewallActual): FirewallRow[] {
  const slug = actual.slug;
  const note = `named like ${slug}'s, but only ${firewallName(slug)} applied to the tag ${slug} is`;
  return [
    ...actual.owned.map((fw) => firewallRow(fw, { owner: slug })),
    ...actual.lookAlikes.map((fw) => firewallRow(fw, { note })),
  ];
}

/**
 * Reads in parallel: the module reads, then one list each for apps, Functions namespaces and
 * projects, and the registry with its repositories (nine calls for a deployment with every
 * section; a domain the account lacks answers its records list with a 404, one call still).
 */
export async function deploymentInfo(ctx: OpContext, deployment: Deployment): Promise<InfoOutcome> {
  const slug = deployment.slug;
  const [world, keys, apps, namespaces, projects, registry] = await Promise.all([
    readWorld(ctx, deployment, MODULE_READS),
    listSshKeys(ctx),
    listApps(ctx),
    listNamespaces(ctx),
    listProjects(ctx),
    readRegistry(ctx),
  ]);
  // SSH keys, apps and the registry are read here rather than by their modules: the key list also
  // holds the deployment's lock, the app list also fills the look-alikes' rows, and the registry
  // answer also carries the storage used.
  const fullWorld: World = {
    ...world,
    ssh_key: actualSshKeys(keys, sshKeyName(slug), desiredSshKey(deployment)?.fingerprint),
    app: sortApps(apps, slug),
    registry: { registry: existingRegistry(registry.registry) } satisfies RegistryActual,
  };
  const facts = factsOf(fullWorld);
  const plans: KindPlan[] = KINDS.map((kind) => ({
    kind,
    desired: moduleOf(kind).desired(deployment, facts),
    steps: [],
  }));
  const desired = (kind: Kind) => plans.find((p) => p.kind === kind)?.desired;

  const droplets = fullWorld.droplet as ActualDroplets;
  const firewall = fullWorld.firewall as FirewallActual;
  const app = fullWorld.app as AppActual;
  const sshKeys = fullWorld.ssh_key as ActualSshKeys;
  const domain = fullWorld.domain as DomainActual;
  const domainDesired = desired('domain') as DomainDesired | undefined;
  const appDesired = desired('app') as AppDesired | undefined;

  const uses = repositoriesUsed(deployment);
  const registryInfo = registry.registry
    ? registryRow(
        registry.registry,
        registry.repositories.filter((r) => uses.some((u) => u.repository === r.name)),
      )
    : null;

  const result: InfoResult = {
    scope: 'deployment',
    namespaces: namespaces.map(namespaceRow),
    domains: domain.domain ? [deploymentDomainRow(domain, domainDesired)] : [],
    apps: appRows(apps, app, slug, appDesired),
    droplets: dropletRows(droplets),
    registry: registryInfo,
    firewalls: firewallRows(firewall),
    projects: projects.filter((p) => isDeploymentProject(p, deployment)).map(projectRow),
    ssh_keys: sshKeyRows(sshKeys, slug),
  };

  const warnings = [
    ...warningsOf(deployment, fullWorld, KINDS, plans),
    ...domainMissingWarning(domain),
    ...dnsElsewhereWarnings(domain, domainDesired),
    ...appShapeWarning(app.app, appDesired),
    ...appDomainWarnings(deployment, app.app, appDesired),
    ...sshKeyWarning(sshKeys, desired('ssh_key') as DesiredSshKey | undefined),
    ...leftoverWarnings(deployment, { droplets, firewall, app: app.app, sshKeys }),
    ...repositoryWarnings(uses, registryInfo ?? undefined),
    ...staleLockWarning(
      slug,
      keys.find((k) => k.fingerprint === lockFingerprint(slug)),
      ctx.clock.now(),
    ),
  ];
  return { result, warnings };
}
