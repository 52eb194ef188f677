/**
 * Pure: what DigitalOcean answered (dots models, or the resource modules' flattened state) → the
 * rows of the info report. Each picks the fields a person reads and leaves everything write-only
 * or secret behind.
 */
import type { Firewall, Namespace_info, Project, Registry, Repository_v2 } from '@digitalocean/dots';
import { componentsOf } from '../../config/app-spec.js';
import { isOwnedByTags, OWNER_TAG } from '../../config/identity.js';
import type { AppState, DeploymentState } from '../../resources/app/index.js';
import type { DropletState } from '../../resources/droplets/index.js';
import type { ExistingFirewall } from '../../resources/firewall/index.js';
import { isOwnedFirewall } from '../../resources/firewall/plan.js';
import { describeRule, flattenFirewall } from '../../resources/firewall/rules.js';
import type { SshKeyState } from '../../resources/ssh-key/index.js';
import type {
  AppRow,
  ComponentRow,
  DeploymentPhase,
  DropletRow,
  FirewallRow,
  NamespaceRow,
  Ownership,
  ProjectRow,
  RegistryRow,
  RepositoryRow,
  SshKeyRow,
} from './types.js';

/** Only label, region, host and name: the key and uuid are the namespace's OpenWhisk credentials. */
export function namespaceRow(ns: Namespace_info): NamespaceRow {
  return {
    label: ns.label ?? '',
    region: ns.region ?? '',
    api_host: ns.apiHost ?? '',
    namespace: ns.namespace ?? '',
    ...(ns.createdAt ? { created_at: ns.createdAt } : {}),
  };
}

export function projectRow(project: Project): ProjectRow {
  return {
    id: String(project.id ?? ''),
    name: project.name ?? '',
    ...(project.purpose ? { purpose: project.purpose } : {}),
    ...(project.environment ? { environment: String(project.environment) } : {}),
    is_default: project.isDefault === true,
  };
}

export function repositoryRow(repository: Repository_v2): RepositoryRow {
  const latest = repository.latestManifest;
  return {
    name: repository.name ?? '',
    tag_count: repository.tagCount ?? 0,
    ...(repository.manifestCount == null ? {} : { manifest_count: repository.manifestCount }),
    latest_tags: [...(latest?.tags ?? [])],
    ...(latest?.updatedAt ? { latest_updated_at: latest.updatedAt.toISOString() } : {}),
  };
}

export function registryRow(registry: Registry, repositories: readonly Repository_v2[]): RegistryRow {
  return {
    name: registry.name ?? '',
    ...(registry.region ? { region: registry.region } : {}),
    ...(registry.subscription?.tier?.slug ? { tier: registry.subscription.tier.slug } : {}),
    ...(registry.storageUsageBytes == null ? {} : { storage_used_bytes: registry.storageUsageBytes }),
    repositories: repositories.map(repositoryRow),
  };
}

const COMPONENT_KIND: Record<string, string> = {
  services: 'service',
  workers: 'worker',
  jobs: 'job',
  static_sites: 'static_site',
};

/** Components with their instances; the image by reference only (never its registry credentials). */
export function componentRows(app: AppState): ComponentRow[] {
  return componentsOf(app.spec).map(({ kind, component }) => {
    const c = component as typeof component & { instance_count?: number; instance_size_slug?: string };
    const image = component.image;
    const reference = image
      ? `${image.repository}${image.digest ? `@${image.digest}` : `:${image.tag ?? 'latest'}`}`
      : undefined;
    return {
      kind: COMPONENT_KIND[kind] ?? kind,
      name: component.name,
      ...(c.instance_count === undefined ? {} : { instance_count: c.instance_count }),
      ...(c.instance_size_slug === undefined ? {} : { instance_size: c.instance_size_slug }),
      ...(reference ? { image: reference } : {}),
    };
  });
}

function phaseOf(deployment: DeploymentState | undefined): DeploymentPhase | undefined {
  if (!deployment) return undefined;
  const { success, total } = deployment.progress;
  return {
    id: deployment.id,
    phase: deployment.phase,
    ...(total > 0 ? { progress: `${success}/${total}` } : {}),
  };
}

export function appRow(app: AppState, ownership: Ownership = {}, differences?: string[]): AppRow {
  const active = phaseOf(app.active);
  const inProgress = phaseOf(app.inProgress);
  return {
    id: app.id,
    name: app.name,
    ...ownership,
    ...(app.liveUrl ? { live_url: app.liveUrl } : {}),
    ...(app.domains?.length
      ? {
          domains: app.domains.map((d) => ({
            domain: d.domain,
            ...(d.type ? { type: d.type } : {}),
            phase: d.phase,
          })),
        }
      : {}),
    ...(active ? { active_deployment: active } : {}),
    ...(inProgress ? { in_progress_deployment: inProgress } : {}),
    components: componentRows(app),
    ...(differences && differences.length > 0 ? { differences } : {}),
  };
}

export function dropletRow(droplet: DropletState, ownership: Ownership = {}): DropletRow {
  return {
    id: droplet.id,
    name: droplet.name,
    ...ownership,
    status: droplet.status,
    ...(droplet.publicIpv4 ? { public_ipv4: droplet.publicIpv4 } : {}),
    ...(droplet.publicIpv6 ? { public_ipv6: droplet.publicIpv6 } : {}),
    size: droplet.size,
    region: droplet.region,
    image: droplet.image,
    tags: [...droplet.tags],
    ...(droplet.createdAt === undefined ? {} : { created_at: new Date(droplet.createdAt).toISOString() }),
  };
}

/**
 * The deployment a droplet's tags prove it belongs to: the slug tag beside OWNER_TAG that its name
 * starts with (droplets are named `<slug>-…`). Undefined for everything the tool did not make.
 */
export function dropletOwner(droplet: Pick<DropletState, 'name' | 'tags'>): string | undefined {
  if (!droplet.tags.includes(OWNER_TAG)) return undefined;
  return droplet.tags.find(
    (tag) => tag !== OWNER_TAG && droplet.name.startsWith(`${tag}-`) && isOwnedByTags(droplet.tags, tag),
  );
}

/** Firewalls cannot be tagged: `<slug>-fw` applied to the tag `<slug>` is the deployment's. */
export function firewallOwner(firewall: Pick<ExistingFirewall, 'name' | 'normal'>): string | undefined {
  if (!firewall.name.endsWith('-fw')) return undefined;
  const slug = firewall.name.slice(0, -3);
  return isOwnedFirewall({ name: firewall.name, tags: firewall.normal.tags }, slug) ? slug : undefined;
}

/** A dots firewall in the shape the firewall module reads it. */
export function existingFirewall(firewall: Firewall): ExistingFirewall {
  return {
    id: firewall.id ?? '',
    name: firewall.name ?? '',
    status: String(firewall.status ?? 'unknown'),
    createdAt: firewall.createdAt?.toISOString(),
    normal: flattenFirewall(firewall),
  };
}

export function firewallRow(firewall: ExistingFirewall, ownership: Ownership = {}): FirewallRow {
  return {
    id: firewall.id,
    name: firewall.name,
    ...ownership,
    status: firewall.status,
    inbound: firewall.normal.inbound.map((rule) => describeRule(rule, 'inbound')),
    outbound: firewall.normal.outbound.map((rule) => describeRule(rule, 'outbound')),
    tags: [...firewall.normal.tags],
    droplet_ids: [...firewall.normal.dropletIds],
  };
}

/** Name and fingerprint; the public key itself stays out (long, and the fingerprint names it). */
export function sshKeyRow(key: SshKeyState, ownership: Ownership = {}): SshKeyRow {
  return { id: key.id, name: key.name, ...ownership, fingerprint: key.fingerprint };
}
