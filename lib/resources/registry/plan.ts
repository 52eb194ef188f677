/**
 * The container registry, planned. DigitalOcean allows one registry per account, shared by every
 * environment: a registry that exists is used whatever its name, and never replaced or re-billed.
 * Its name is global (anyone's registry holds its name), so a create is planned only for a name
 * DigitalOcean says is free, and droplets that pull from a registry the account does not have are
 * refused before anything is created.
 */
import { docrRegistryOf } from '../../config/image.js';
import type { Deployment } from '../../config/manifest.js';
import type { RegistrySection } from '../../config/manifest-schema.js';
import type { RegistryRegion } from '../../config/regions.js';
import type { PlanStep } from '../types.js';
import { accountRegistryRefusal, takenNameRefusal } from './refusals.js';

export type RegistryTier = RegistrySection['subscription_tier'];

export interface RegistryDesired {
  name: string;
  tier: RegistryTier;
  region: RegistryRegion;
  /** The droplets' container image when it is in DigitalOcean's registry (it names the registry). */
  dropletImage?: string;
}

/** The account's registry as DigitalOcean reports it. */
export interface ExistingRegistry {
  name: string;
  region: string | undefined;
  /** Subscription tier slug. */
  tier: string | undefined;
}

export interface RegistryActual {
  /** Undefined when the account has no registry (or the manifest has no registry section). */
  registry: ExistingRegistry | undefined;
  /**
   * Read by deploy, the only operation that creates: what would make it fail is refused before
   * anything is created. Other operations only warn about it.
   */
  deploying?: boolean;
  /**
   * With no registry: whether DigitalOcean's validate-name said the manifest's name is held by
   * someone (409). Undefined when it was not asked (only deploy asks).
   */
  nameTaken?: boolean;
}

/** The create request, in dots' camelCase model. */
export interface RegistryCreate {
  name: string;
  subscriptionTierSlug: RegistryTier;
  region: RegistryRegion;
}

export function desiredRegistry(deployment: Deployment): RegistryDesired | undefined {
  const section = deployment.registry;
  if (!section) return undefined;
  const image = deployment.droplets?.container.image;
  return {
    name: section.name,
    tier: section.subscription_tier,
    region: section.region,
    ...(image !== undefined && docrRegistryOf(image) !== undefined ? { dropletImage: image } : {}),
  };
}

/** The name images are referenced by: the account's registry, whatever the manifest calls it. */
export function registryName(actual: RegistryActual): string | undefined {
  return actual.registry?.name;
}

/**
 * Pure: create when the account has none and the name is free; otherwise use what is there
 * (differences are warnings). For deploy it throws a ConflictError, before any step runs, when the
 * name is someone else's or the droplets would pull from a registry the account does not have.
 */
export function planRegistry(
  desired: RegistryDesired | undefined,
  actual: RegistryActual,
): PlanStep<RegistryCreate>[] {
  if (!desired) return [];
  const existing = actual.registry;
  if (!existing) {
    if (actual.nameTaken) throw takenNameRefusal(desired);
    return [
      {
        kind: 'registry',
        action: 'create',
        name: desired.name,
        reason: `missing: ${desired.tier} tier in ${desired.region}`,
        payload: { name: desired.name, subscriptionTierSlug: desired.tier, region: desired.region },
      },
    ];
  }
  if (actual.deploying && existing.name !== desired.name && desired.dropletImage)
    throw accountRegistryRefusal(desired, existing.name, desired.dropletImage);
  const reason =
    existing.name === desired.name
      ? 'exists'
      : `the account's registry (one per account), used instead of ${desired.name}`;
  return [{ kind: 'registry', action: 'noop', name: existing.name, id: existing.name, reason }];
}

export interface DestroyRegistryOptions {
  /** The caller's explicit opt-in (teardown's `include_registry`). */
  include: boolean;
  /** The manifest's registry name: only a registry of exactly this name is deleted. */
  name: string;
}

/**
 * The registry holds every environment's images, so it is deleted only on request, and only when
 * it carries the manifest's name: a registry of another name was the account's before we came.
 */
export function destroyRegistry(actual: RegistryActual, options: DestroyRegistryOptions): PlanStep[] {
  const existing = actual.registry;
  if (!options.include || !existing || existing.name !== options.name) return [];
  return [
    {
      kind: 'registry',
      action: 'delete',
      name: existing.name,
      id: existing.name,
      reason: 'include_registry: deletes the registry and every image in it, for all environments',
    },
  ];
}

export function registryWarnings(actual: RegistryActual, deployment: Deployment): string[] {
  const desired = desiredRegistry(deployment);
  const existing = actual.registry;
  if (!desired || !existing) return [];
  const warnings: string[] = [];
  if (existing.name !== desired.name) {
    warnings.push(
      `The account's container registry is "${existing.name}", not "${desired.name}" as deployment.yml says: ` +
        `DigitalOcean allows one registry per account, so "${existing.name}" is used and left as it is ` +
        `(images are registry.digitalocean.com/${existing.name}/…). Set registry.name to "${existing.name}" to silence this.`,
    );
  }
  if (existing.tier && existing.tier !== desired.tier) {
    warnings.push(
      `Registry "${existing.name}" is on the ${existing.tier} tier and deployment.yml asks for ${desired.tier}: ` +
        'the subscription is billing, so it is not changed here; change it in the control panel if you mean to.',
    );
  }
  if (existing.region && existing.region !== desired.region) {
    warnings.push(
      `Registry "${existing.name}" is in ${existing.region} and deployment.yml asks for ${desired.region}: ` +
        'a registry cannot move, so it stays where it is.',
    );
  }
  return warnings;
}
