import { type ImageSpec, imageJson, regionJson, type SizeSpec, sizeJson } from './catalog.js';

export interface DropletRecord {
  id: number;
  name: string;
  region: string;
  size: SizeSpec;
  /** Disk in GiB: it follows the size only when a resize asked for the disk too. */
  diskGb: number;
  image: ImageSpec;
  /** Virtual milliseconds. */
  createdAt: number;
  /** When the boot finishes and the droplet turns `active` (virtual milliseconds). */
  activeAt: number;
  power: 'on' | 'off';
  /**
   * The status the API still shows, until a moment, after a power action changed `power`: on
   * DigitalOcean it follows a few seconds behind (docs/fidelity.md, droplet-actions.status-lag).
   */
  lagging?: { status: DropletStatus; until: number };
  tags: string[];
  userData: string | undefined;
  vpcUuid: string;
  monitoring: boolean;
  backups: boolean;
  ipv6: boolean;
  /** OpenSSH public key lines, as registered when the droplet was created. */
  authorizedKeys: string[];
  snapshotIds: number[];
  publicIpv4: string;
  privateIpv4: string;
  ipv6Address: string | undefined;
  /**
   * When DELETE was accepted (virtual milliseconds). The machine is gone from then on, but the API
   * still lists the droplet, status unchanged, for `dropletDeleteMs`, then answers 404.
   */
  deletedAt?: number;
}

export type DropletStatus = 'new' | 'active' | 'off';

/** `new` until the boot completes on the virtual clock, then the power state decides. */
export function dropletStatus(d: DropletRecord, now: number): DropletStatus {
  if (now < d.activeAt) return 'new';
  return d.power === 'on' ? 'active' : 'off';
}

export interface DropletJsonContext {
  now: number;
  iso(at: number): string;
  locked: boolean;
}

/** The status the API answers: the power state, or the one before it while that still shows. */
export function shownStatus(d: DropletRecord, now: number): DropletStatus {
  return d.lagging && now < d.lagging.until ? d.lagging.status : dropletStatus(d, now);
}

/** The droplet in the spec's shape; networks appear once it has booted, as on DigitalOcean. */
export function dropletJson(d: DropletRecord, ctx: DropletJsonContext) {
  const status = dropletStatus(d, ctx.now);
  return {
    id: d.id,
    name: d.name,
    memory: d.size.memory,
    vcpus: d.size.vcpus,
    disk: d.diskGb,
    disk_info: [{ type: 'local', size: { amount: d.diskGb, unit: 'gib' } }],
    locked: ctx.locked,
    status: shownStatus(d, ctx.now),
    kernel: null,
    created_at: ctx.iso(d.createdAt),
    features: features(d),
    backup_ids: [],
    next_backup_window: d.backups ? backupWindow(ctx) : null,
    snapshot_ids: [...d.snapshotIds],
    image: imageJson(d.image),
    volume_ids: [],
    size: sizeJson(d.size),
    size_slug: d.size.slug,
    networks: status === 'new' ? { v4: [], v6: [] } : networks(d),
    region: regionJson(d.region),
    tags: [...d.tags],
    vpc_uuid: d.vpcUuid,
  };
}

function features(d: DropletRecord): string[] {
  return [
    'droplet_agent',
    'private_networking',
    ...(d.monitoring ? ['monitoring'] : []),
    ...(d.ipv6 ? ['ipv6'] : []),
    ...(d.backups ? ['backups'] : []),
  ];
}

function networks(d: DropletRecord) {
  return {
    v4: [
      { ip_address: d.publicIpv4, netmask: '255.0.0.0', gateway: '127.0.0.1', type: 'public' },
      { ip_address: d.privateIpv4, netmask: '255.255.240.0', gateway: '0.0.0.0', type: 'private' },
    ],
    v6:
      d.ipv6 && d.ipv6Address
        ? [
            {
              ip_address: d.ipv6Address,
              netmask: 64,
              gateway: d.ipv6Address.replace(/::[0-9a-f:]+$/, '::1'),
              type: 'public',
            },
          ]
        : [],
  };
}

/** Weekly backups run in a four-hour window; the next one starts at the coming midnight UTC. */
function backupWindow(ctx: DropletJsonContext) {
  const day = 24 * 3_600_000;
  const start = Math.ceil(ctx.now / day) * day;
  return { start: ctx.iso(start), end: ctx.iso(start + 4 * 3_600_000) };
}
