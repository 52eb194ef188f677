/**
 * Droplets as the tool sees them, and the translation to and from dots' models (flatten: what
 * DigitalOcean answers → DropletState; expand: what we want → the create request).
 */
import type { Droplet, Droplet_multi_create } from '@digitalocean/dots';
import type { CloudInitSpec } from './cloud-init.js';

export interface DropletState {
  id: number;
  name: string;
  /** new | active | off | archive */
  status: string;
  size: string;
  region: string;
  /** The image's slug, or its id for images without one. */
  image: string;
  tags: string[];
  /** Epoch milliseconds, when DigitalOcean said. */
  createdAt: number | undefined;
  publicIpv4: string | undefined;
  /**
   * IPv6 is on (DigitalOcean lists the feature from creation on; the address shows once the
   * droplet has booted). Optional: droplets read before IPv6 mattered leave it out, which means off.
   */
  ipv6?: boolean;
  publicIpv6?: string | undefined;
  /** An action (other than the boot) is running: no other can start. */
  locked: boolean;
  /**
   * The disk in GB. It follows the size only when a resize asks for it (the tool never does), so a
   * resize to a size with a smaller disk is refused. Optional: absent when DigitalOcean did not say.
   */
  disk?: number;
}

/** Not ours, but easy to mistake for ours: reported, never touched. */
export interface Lookalike {
  droplet: DropletState;
  /** `tag`: carries the slug tag without the ownership tag; `name`: named like ours, without our tags. */
  why: 'tag' | 'name';
}

export interface ActualDroplets {
  slug: string;
  /** Carrying both the slug tag and OWNER_TAG, and not being deleted. */
  owned: DropletState[];
  /**
   * Owned, but marked for deletion (DELETING_TAG, deleted.ts): DigitalOcean still lists them while
   * it deletes them. Nothing serves from them; they are deleted again and waited for.
   */
  deleting?: DropletState[];
  lookalikes: Lookalike[];
  /** Whether every droplet of the account was seen (untagged look-alikes are found only then). */
  accountScanned: boolean;
  /**
   * How many droplets the account lists, all deployments' (the droplet limit counts them), when the
   * read told; droplets still being deleted are among them, as DigitalOcean lists them.
   */
  accountTotal?: number;
}

/** Where user_data comes from: the manifest's own, or the cloud-init the tool writes. */
export type UserDataSource =
  | { source: 'manifest'; text: string; sha256: string }
  | { source: 'tool'; spec: CloudInitSpec; template: string; sha256: string };

export interface DesiredDroplets {
  slug: string;
  count: number;
  size: string;
  image: string;
  region: string;
  tags: string[];
  /** DigitalOcean accepts the fingerprint wherever a key id goes, so no lookup is needed. */
  sshKeyFingerprint: string;
  generation: string;
  /** `<slug>-<generation>-1` … `-<count>`. */
  names: string[];
  userData: UserDataSource;
  health: { port: number; path: string };
  /** Droplets need a public IPv6 address (droplets.ipv6, or an AAAA record pointing at them). */
  ipv6: boolean;
}

/** What a create step carries: everything but the names and the registry credential. */
export interface CreatePayload {
  generation: string;
  region: string;
  size: string;
  image: string;
  sshKeyFingerprint: string;
  tags: string[];
  userData: UserDataSource;
  /** Create with a public IPv6 address; left out means without. */
  ipv6?: boolean;
}

export function flattenDroplet(d: Droplet): DropletState {
  const publicIpv6 = d.networks?.v6?.find((n) => n.type === 'public')?.ipAddress?.toLowerCase() ?? undefined;
  return {
    id: d.id ?? 0,
    name: d.name ?? '',
    status: String(d.status ?? 'unknown'),
    size: d.sizeSlug ?? d.size?.slug ?? '',
    region: d.region?.slug ?? '',
    image: d.image?.slug ?? (d.image?.id === undefined || d.image?.id === null ? '' : String(d.image.id)),
    tags: [...(d.tags ?? [])],
    createdAt: d.createdAt ? d.createdAt.getTime() : undefined,
    publicIpv4: d.networks?.v4?.find((n) => n.type === 'public')?.ipAddress ?? undefined,
    ipv6: publicIpv6 !== undefined || (d.features ?? []).includes('ipv6'),
    publicIpv6,
    locked: d.locked === true,
    ...(typeof d.disk === 'number' ? { disk: d.disk } : {}),
  };
}

/** The POST /v2/droplets body (dots' camelCase model) for `names`, with the user_data to send. */
export function expandCreateRequest(
  payload: CreatePayload,
  names: string[],
  userData: string,
): Droplet_multi_create {
  return {
    names,
    region: payload.region,
    size: payload.size,
    image: payload.image,
    sshKeys: [payload.sshKeyFingerprint],
    tags: [...payload.tags],
    userData,
    monitoring: true,
    // Sent only when wanted, so the requests of deployments without IPv6 stay as they were.
    ...(payload.ipv6 ? { ipv6: true } : {}),
  };
}
