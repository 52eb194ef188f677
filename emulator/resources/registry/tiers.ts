/** DigitalOcean Container Registry subscription tiers, as `/v2/registry/options` lists them. */
export interface Tier {
  name: string;
  slug: TierSlug;
  /** 0 means unlimited. */
  included_repositories: number;
  included_storage_bytes: number;
  allow_storage_overage: boolean;
  included_bandwidth_bytes: number;
  monthly_price_in_cents: number;
  storage_overage_price_in_cents: number;
}

export type TierSlug = 'starter' | 'basic' | 'professional';

const MIB = 1024 * 1024;
const GIB = 1024 * MIB;

export const TIERS: Record<TierSlug, Tier> = {
  starter: tier('Starter', 'starter', 1, 500 * MIB, false, 0, 0),
  basic: tier('Basic', 'basic', 5, 5 * GIB, true, 500, 2),
  professional: tier('Professional', 'professional', 0, 100 * GIB, true, 2000, 2),
};

/**
 * Where a registry can live (`multiregistry_create.region` in the spec; the older `registry_create`
 * lists five of them). DigitalOcean selects one when the create names none; the emulator takes the first.
 */
export const REGIONS = ['nyc3', 'sfo3', 'sfo2', 'ams3', 'sgp1', 'fra1', 'blr1', 'syd1'];

export function isTierSlug(value: unknown): value is TierSlug {
  return typeof value === 'string' && value in TIERS;
}

/** Why a registry holding this much could not move to a tier (empty: it can). */
export function ineligibility(target: Tier, repositories: number, storageBytes: number): string[] {
  const reasons: string[] = [];
  if (target.included_repositories > 0 && repositories > target.included_repositories)
    reasons.push('OverRepositoryLimit');
  if (!target.allow_storage_overage && storageBytes > target.included_storage_bytes)
    reasons.push('OverStorageLimit');
  return reasons;
}

function tier(
  name: string,
  slug: TierSlug,
  repositories: number,
  storage: number,
  overage: boolean,
  price: number,
  overagePrice: number,
): Tier {
  return {
    name,
    slug,
    included_repositories: repositories,
    included_storage_bytes: storage,
    allow_storage_overage: overage,
    included_bandwidth_bytes: storage,
    monthly_price_in_cents: price,
    storage_overage_price_in_cents: overagePrice,
  };
}
