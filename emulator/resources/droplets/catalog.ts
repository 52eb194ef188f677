import type { RegionJson } from '../actions.js';

/**
 * A small, realistic slice of DigitalOcean's catalog: regions, Basic sizes and public images, in
 * the shapes the spec gives them inside a droplet. Prices and disks follow the public price list.
 */

export interface SizeSpec {
  slug: string;
  memory: number;
  vcpus: number;
  disk: number;
  transfer: number;
  priceMonthly: number;
}

export interface ImageSpec {
  id: number;
  slug: string;
  name: string;
  distribution: 'Debian' | 'Ubuntu' | 'Fedora' | 'Rocky Linux';
  type: 'base' | 'snapshot';
  minDiskSize: number;
  sizeGigabytes: number;
  createdAt: string;
  description: string;
  /** What is on the image before user_data runs (not shown in the API; cloud-init relies on it). */
  software: ImageSoftware;
}

export interface ImageSoftware {
  /** The package manager cloud-init's `packages` and user scripts would use. */
  packageManager: 'apt' | 'dnf';
  /** Docker is installed and enabled (the Docker 1-Click). */
  docker: boolean;
  /**
   * A host firewall enabled at first boot that drops what it does not allow: the Docker 1-Click
   * turns on UFW allowing only SSH and Docker's API ports, so its HTTP port gives no answer at
   * all until a container publishes it (Docker's own rules come before UFW's).
   */
  hostFirewall: boolean;
}

const REGION_NAMES: Record<string, string> = {
  nyc1: 'New York 1',
  nyc2: 'New York 2',
  nyc3: 'New York 3',
  sfo1: 'San Francisco 1',
  sfo2: 'San Francisco 2',
  sfo3: 'San Francisco 3',
  ams2: 'Amsterdam 2',
  ams3: 'Amsterdam 3',
  sgp1: 'Singapore 1',
  lon1: 'London 1',
  fra1: 'Frankfurt 1',
  tor1: 'Toronto 1',
  blr1: 'Bangalore 1',
  syd1: 'Sydney 1',
  atl1: 'Atlanta 1',
};

/** Old datacenters DigitalOcean still lists but no longer places new droplets in. */
const CLOSED_REGIONS = new Set(['nyc2', 'sfo1', 'ams2']);

/** Where a droplet goes when the request names no region (DigitalOcean picks one itself). */
export const DEFAULT_REGION = 'nyc3';

export const SIZES: readonly SizeSpec[] = [
  { slug: 's-1vcpu-512mb-10gb', memory: 512, vcpus: 1, disk: 10, transfer: 0.5, priceMonthly: 4 },
  { slug: 's-1vcpu-1gb', memory: 1024, vcpus: 1, disk: 25, transfer: 1, priceMonthly: 6 },
  { slug: 's-1vcpu-2gb', memory: 2048, vcpus: 1, disk: 50, transfer: 2, priceMonthly: 12 },
  { slug: 's-2vcpu-2gb', memory: 2048, vcpus: 2, disk: 60, transfer: 3, priceMonthly: 18 },
  { slug: 's-2vcpu-4gb', memory: 4096, vcpus: 2, disk: 80, transfer: 4, priceMonthly: 24 },
  { slug: 's-4vcpu-8gb', memory: 8192, vcpus: 4, disk: 160, transfer: 5, priceMonthly: 48 },
  { slug: 's-8vcpu-16gb', memory: 16384, vcpus: 8, disk: 320, transfer: 6, priceMonthly: 96 },
];

export const IMAGES: readonly ImageSpec[] = [
  image(168_740_001, 'debian-12-x64', '12 x64', 'Debian', 'base', 7, 0.98),
  image(168_740_002, 'ubuntu-24-04-x64', '24.04 (LTS) x64', 'Ubuntu', 'base', 7, 2.49),
  image(168_740_003, 'ubuntu-22-04-x64', '22.04 (LTS) x64', 'Ubuntu', 'base', 7, 2.36),
  image(168_740_004, 'fedora-40-x64', '40 x64', 'Fedora', 'base', 7, 1.2),
  image(168_740_005, 'rockylinux-9-x64', '9 x64', 'Rocky Linux', 'base', 10, 1.45),
  // DigitalOcean's Docker 1-Click (Marketplace), built from Ubuntu 20.04 on a 25 GB droplet
  // (digitalocean/droplet-1-clicks: docker-20-04/template.json): Docker CE, Compose, UFW.
  image(168_740_006, 'docker-20-04', 'Docker on Ubuntu 20.04', 'Ubuntu', 'snapshot', 25, 3.74, {
    docker: true,
    hostFirewall: true,
  }),
];

export function findRegion(slug: string): { slug: string; available: boolean } | undefined {
  return REGION_NAMES[slug] ? { slug, available: !CLOSED_REGIONS.has(slug) } : undefined;
}

export function findSize(slug: string): SizeSpec | undefined {
  return SIZES.find((s) => s.slug === slug);
}

/** An image by slug or by numeric id (a number or a string of digits, as DigitalOcean accepts both). */
export function findImage(ref: unknown): ImageSpec | undefined {
  if (typeof ref === 'number' || (typeof ref === 'string' && /^\d+$/.test(ref))) {
    return IMAGES.find((i) => i.id === Number(ref));
  }
  return typeof ref === 'string' ? IMAGES.find((i) => i.slug === ref) : undefined;
}

const openRegions = () => Object.keys(REGION_NAMES).filter((slug) => !CLOSED_REGIONS.has(slug));

export function regionJson(slug: string): RegionJson {
  return {
    name: REGION_NAMES[slug] ?? slug,
    slug,
    features: ['backups', 'ipv6', 'metadata', 'install_agent', 'storage', 'image_transfer'],
    available: !CLOSED_REGIONS.has(slug),
    sizes: CLOSED_REGIONS.has(slug) ? [] : SIZES.map((s) => s.slug),
  };
}

export function sizeJson(size: SizeSpec) {
  return {
    slug: size.slug,
    memory: size.memory,
    vcpus: size.vcpus,
    disk: size.disk,
    transfer: size.transfer,
    price_monthly: size.priceMonthly,
    price_hourly: Math.round((size.priceMonthly / 672) * 1e5) / 1e5,
    regions: openRegions(),
    available: true,
    description: 'Basic',
    disk_info: [{ type: 'local', size: { amount: size.disk, unit: 'gib' } }],
  };
}

// The spec enumerates image regions and that list predates atl1: leave it out there only.
const IMAGE_REGION_ENUM = new Set([
  'ams3',
  'blr1',
  'fra1',
  'lon1',
  'nyc1',
  'nyc3',
  'sfo2',
  'sfo3',
  'sgp1',
  'tor1',
  'syd1',
]);

export function imageJson(img: ImageSpec) {
  return {
    id: img.id,
    name: img.name,
    distribution: img.distribution,
    slug: img.slug,
    public: true,
    regions: openRegions().filter((r) => IMAGE_REGION_ENUM.has(r)),
    created_at: img.createdAt,
    min_disk_size: img.minDiskSize,
    size_gigabytes: img.sizeGigabytes,
    description: img.description,
    tags: [],
    status: 'available',
    error_message: '',
    type: img.type,
  };
}

function image(
  id: number,
  slug: string,
  name: string,
  distribution: ImageSpec['distribution'],
  type: ImageSpec['type'],
  minDiskSize: number,
  sizeGigabytes: number,
  extra: Partial<ImageSoftware> = {},
): ImageSpec {
  const description = type === 'base' ? `${distribution} ${name}` : `${name} (Marketplace)`;
  const apt = distribution === 'Debian' || distribution === 'Ubuntu';
  return {
    id,
    slug,
    name,
    distribution,
    type,
    minDiskSize,
    sizeGigabytes,
    createdAt: '2024-06-12T14:05:41Z',
    description,
    software: { packageManager: apt ? 'apt' : 'dnf', docker: false, hostFirewall: false, ...extra },
  };
}
