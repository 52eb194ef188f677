/**
 * App Platform's regions and instance sizes, as GET /v2/apps/regions and
 * GET /v2/apps/tiers/instance_sizes answer them (prices and limits from DigitalOcean's catalog).
 */
export interface AppRegion {
  slug: string;
  label: string;
  flag: string;
  continent: string;
  data_centers: string[];
  default?: boolean;
}

export const REGIONS: readonly AppRegion[] = [
  { slug: 'ams', label: 'Amsterdam', flag: 'netherlands', continent: 'Europe', data_centers: ['ams3'] },
  { slug: 'atl', label: 'Atlanta', flag: 'usa', continent: 'North America', data_centers: ['atl1'] },
  {
    slug: 'nyc',
    label: 'New York',
    flag: 'usa',
    continent: 'North America',
    data_centers: ['nyc1', 'nyc3'],
    default: true,
  },
  { slug: 'fra', label: 'Frankfurt', flag: 'germany', continent: 'Europe', data_centers: ['fra1'] },
  { slug: 'sfo', label: 'San Francisco', flag: 'usa', continent: 'North America', data_centers: ['sfo3'] },
  { slug: 'sgp', label: 'Singapore', flag: 'singapore', continent: 'Asia', data_centers: ['sgp1'] },
  { slug: 'blr', label: 'Bangalore', flag: 'india', continent: 'Asia', data_centers: ['blr1'] },
  { slug: 'tor', label: 'Toronto', flag: 'canada', continent: 'North America', data_centers: ['tor1'] },
  { slug: 'lon', label: 'London', flag: 'uk', continent: 'Europe', data_centers: ['lon1'] },
  { slug: 'syd', label: 'Sydney', flag: 'australia', continent: 'Australia', data_centers: ['syd1'] },
];

/** DigitalOcean picks the nearest region when a spec names none; the emulator's "nearest" is New York. */
export const DEFAULT_REGION = 'nyc';

export function findRegion(slug: string): AppRegion | undefined {
  return REGIONS.find((r) => r.slug === slug);
}

export interface InstanceSize {
  name: string;
  slug: string;
  cpu_type: 'SHARED' | 'DEDICATED';
  cpus: string;
  memory_bytes: string;
  usd_per_month: string;
  usd_per_second: string;
  tier_slug: 'basic' | 'professional';
  single_instance_only?: boolean;
  scalable?: boolean;
  bandwidth_allowance_gib: string;
}

const GIB = 1024 ** 3;
const SECONDS_PER_MONTH = 2_419_200;

function size(
  slug: string,
  cpuType: 'SHARED' | 'DEDICATED',
  cpus: number,
  memoryGib: number,
  usdPerMonth: number,
  bandwidthGib: number,
  flags: { single?: boolean; scalable?: boolean } = {},
): InstanceSize {
  const kind = cpuType === 'SHARED' ? 'Shared' : 'Dedicated';
  return {
    name: `${kind} ${cpus}VCPU ${memoryGib}GB${slug.endsWith('-fixed') ? ' Fixed' : ''}`,
    slug,
    cpu_type: cpuType,
    cpus: String(cpus),
    memory_bytes: String(memoryGib * GIB),
    usd_per_month: usdPerMonth.toFixed(2),
    usd_per_second: (usdPerMonth / SECONDS_PER_MONTH).toFixed(12),
    tier_slug: flags.single ? 'basic' : 'professional',
    ...(flags.single ? { single_instance_only: true } : {}),
    ...(flags.scalable ? { scalable: true } : {}),
    bandwidth_allowance_gib: String(bandwidthGib),
  };
}

export const INSTANCE_SIZES: readonly InstanceSize[] = [
  size('apps-s-1vcpu-0.5gb', 'SHARED', 1, 0.5, 5, 50, { single: true }),
  size('apps-s-1vcpu-1gb-fixed', 'SHARED', 1, 1, 10, 100, { single: true }),
  size('apps-s-1vcpu-1gb', 'SHARED', 1, 1, 12, 150),
  size('apps-s-1vcpu-2gb', 'SHARED', 1, 2, 25, 200),
  size('apps-s-2vcpu-4gb', 'SHARED', 2, 4, 50, 250),
  size('apps-d-1vcpu-0.5gb', 'DEDICATED', 1, 0.5, 29, 100, { scalable: true }),
  size('apps-d-1vcpu-1gb', 'DEDICATED', 1, 1, 34, 200, { scalable: true }),
  size('apps-d-1vcpu-2gb', 'DEDICATED', 1, 2, 39, 300, { scalable: true }),
  size('apps-d-1vcpu-4gb', 'DEDICATED', 1, 4, 49, 400, { scalable: true }),
  size('apps-d-2vcpu-4gb', 'DEDICATED', 2, 4, 78, 500, { scalable: true }),
  size('apps-d-2vcpu-8gb', 'DEDICATED', 2, 8, 98, 600, { scalable: true }),
  size('apps-d-4vcpu-8gb', 'DEDICATED', 4, 8, 156, 700, { scalable: true }),
  size('apps-d-4vcpu-16gb', 'DEDICATED', 4, 16, 196, 800, { scalable: true }),
  size('apps-d-8vcpu-32gb', 'DEDICATED', 8, 32, 392, 900, { scalable: true }),
];

/** Pre-2023 slugs DigitalOcean still accepts in specs (not listed by the sizes endpoint). */
const LEGACY_SIZES: Record<string, { usdPerMonth: number; tier: 'basic' | 'professional'; single: boolean }> =
  {
    'basic-xxs': { usdPerMonth: 5, tier: 'basic', single: false },
    'basic-xs': { usdPerMonth: 10, tier: 'basic', single: false },
    'basic-s': { usdPerMonth: 20, tier: 'basic', single: false },
    'basic-m': { usdPerMonth: 40, tier: 'basic', single: false },
    'professional-xs': { usdPerMonth: 12, tier: 'professional', single: false },
    'professional-s': { usdPerMonth: 25, tier: 'professional', single: false },
    'professional-m': { usdPerMonth: 50, tier: 'professional', single: false },
    'professional-1l': { usdPerMonth: 75, tier: 'professional', single: false },
    'professional-l': { usdPerMonth: 100, tier: 'professional', single: false },
    'professional-xl': { usdPerMonth: 150, tier: 'professional', single: false },
  };

export const DEFAULT_INSTANCE_SIZE = 'apps-s-1vcpu-0.5gb';

export interface SizeFacts {
  usdPerMonth: number;
  tier: 'basic' | 'professional';
  singleInstanceOnly: boolean;
}

export function sizeFacts(slug: string): SizeFacts | undefined {
  const current = INSTANCE_SIZES.find((s) => s.slug === slug);
  if (current) {
    return {
      usdPerMonth: Number(current.usd_per_month),
      tier: current.tier_slug,
      singleInstanceOnly: current.single_instance_only === true,
    };
  }
  const legacy = LEGACY_SIZES[slug];
  return legacy && { usdPerMonth: legacy.usdPerMonth, tier: legacy.tier, singleInstanceOnly: legacy.single };
}
