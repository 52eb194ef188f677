import { unprocessable } from '../../core/http-error.js';
import type { SshKeyJson, SshKeysService } from '../ssh-keys.js';
import { isTagName } from '../tags.js';
import { DEFAULT_REGION, findImage, findRegion, findSize, type ImageSpec, type SizeSpec } from './catalog.js';

export interface CreateRequest {
  names: string[];
  /** `names` was sent: the answer is `droplets`, not `droplet`. */
  multiple: boolean;
  region: string;
  size: SizeSpec;
  image: ImageSpec;
  sshKeys: SshKeyJson[];
  tags: string[];
  userData: string | undefined;
  vpcUuid: string | undefined;
  monitoring: boolean;
  backups: boolean;
  ipv6: boolean;
}

const MAX_NAMES = 10;
const MAX_USER_DATA = 64 * 1024;
const HOSTNAME = /^[a-zA-Z0-9]?[a-z0-9A-Z.-]*[a-z0-9A-Z]$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const INVALID_HOSTNAME = 'Only valid hostname characters are allowed. (a-z, A-Z, 0-9, . and -)';

/** Validates a droplet name the way DigitalOcean does (a hostname, 255 characters at most). */
export function checkDropletName(name: unknown): string {
  if (typeof name !== 'string' || name === '') throw unprocessable("Name can't be blank");
  if (name.length > 255) throw unprocessable('Name is too long (maximum is 255 characters)');
  if (!HOSTNAME.test(name)) throw unprocessable(INVALID_HOSTNAME);
  return name;
}

/**
 * `POST /v2/droplets` validated into what to create, with DigitalOcean's messages where clients'
 * reports show them (docs/fidelity.md, "Droplets"; the others are marked guesses there). Region may
 * be left out (DigitalOcean then picks one); names need not be unique.
 */
export function parseCreateRequest(
  body: Record<string, unknown>,
  sshKeys: SshKeysService | undefined,
): CreateRequest {
  const multiple = body.names !== undefined && body.names !== null;
  const names = multiple ? parseNames(body.names) : [checkDropletName(body.name)];

  const size = typeof body.size === 'string' ? findSize(body.size) : undefined;
  if (!size) throw unprocessable('You specified an invalid size for Droplet creation.');
  const image = findImage(body.image);
  if (!image) throw unprocessable('You specified an invalid image for Droplet creation.');

  let region = DEFAULT_REGION;
  if (body.region !== undefined && body.region !== null && body.region !== '') {
    const found = typeof body.region === 'string' ? findRegion(body.region) : undefined;
    // A region closed to new droplets gets the same answer as an unknown one (docs/fidelity.md).
    if (!found?.available) throw unprocessable('You specified an invalid region for Droplet creation.');
    region = found.slug;
  }

  const userData = body.user_data ?? undefined;
  if (userData !== undefined && typeof userData !== 'string')
    throw unprocessable('user_data must be a string');
  if (userData !== undefined && Buffer.byteLength(userData, 'utf8') > MAX_USER_DATA) {
    throw unprocessable('user_data is too long (maximum is 64 KiB)');
  }

  const vpcUuid = body.vpc_uuid ?? undefined;
  if (vpcUuid !== undefined && (typeof vpcUuid !== 'string' || !UUID.test(vpcUuid))) {
    throw unprocessable('vpc_uuid is not a valid UUID');
  }

  return {
    names,
    multiple,
    region,
    size,
    image,
    sshKeys: parseSshKeys(body.ssh_keys, sshKeys),
    tags: parseTags(body.tags),
    userData,
    vpcUuid,
    monitoring: body.monitoring === true,
    backups: body.backups === true,
    ipv6: body.ipv6 === true,
  };
}

function parseNames(value: unknown): string[] {
  if (!Array.isArray(value) || value.length === 0) throw unprocessable("Names can't be blank");
  if (value.length > MAX_NAMES)
    throw unprocessable(`You can create at most ${MAX_NAMES} Droplets at a time.`);
  return value.map(checkDropletName);
}

function parseSshKeys(value: unknown, service: SshKeysService | undefined): SshKeyJson[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw unprocessable('ssh_keys must be an array of SSH key IDs or fingerprints');
  const found: SshKeyJson[] = [];
  const invalid: string[] = [];
  for (const ref of value) {
    const key = typeof ref === 'string' || typeof ref === 'number' ? service?.resolve(ref) : undefined;
    if (key) {
      if (!found.some((k) => k.id === key.id)) found.push(key);
    } else invalid.push(String(ref));
  }
  if (invalid.length)
    throw unprocessable(`${invalid.join(', ')} are invalid key identifiers for Droplet creation.`);
  return found;
}

function parseTags(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw unprocessable('tags must be an array of tag names');
  const bad = value.filter((tag) => !isTagName(tag));
  if (bad.length) {
    throw unprocessable(
      `${bad.map(String).join(', ')}: tag names may only contain letters, numbers, colons, dashes, and underscores (255 at most).`,
    );
  }
  return [...new Set(value as string[])];
}
