/**
 * Droplet names: `<slug>-<generation>-<index>`. The generation digests what can only change by
 * making new droplets (image, region, user_data, SSH key), so a replacement generation can run
 * next to the old one without two droplets of the deployment sharing a name, and a change to any
 * of those fields shows in the names alone (DigitalOcean never gives user_data back).
 */
import { createHash } from 'node:crypto';
import { dropletIndexOf } from '../../config/identity.js';

export const GENERATION_LENGTH = 6;

/** What a droplet is made from; changing any of it means new droplets. */
export interface GenerationFields {
  image: string;
  region: string;
  /** SHA-256 of the user_data, without the one-time registry credential. */
  userDataSha256: string;
  sshKeyFingerprint: string;
}

export function dropletGeneration(fields: GenerationFields): string {
  const canonical = JSON.stringify([
    fields.image,
    fields.region,
    fields.userDataSha256,
    fields.sshKeyFingerprint,
  ]);
  return createHash('sha256').update(canonical).digest('hex').slice(0, GENERATION_LENGTH);
}

export function generationDropletName(slug: string, generation: string, index: number): string {
  if (!Number.isInteger(index) || index < 1) throw new RangeError(`droplet index must be ≥ 1, got ${index}`);
  return `${slug}-${generation}-${index}`;
}

const PATTERN = new RegExp(`^([0-9a-f]{${GENERATION_LENGTH}})-([1-9]\\d*)$`);

/** The generation and index in a name built by generationDropletName, or undefined. */
export function parseDropletName(
  name: string,
  slug: string,
): { generation: string; index: number } | undefined {
  if (!name.startsWith(`${slug}-`)) return undefined;
  const match = PATTERN.exec(name.slice(slug.length + 1));
  return match ? { generation: match[1]!, index: Number(match[2]) } : undefined;
}

/**
 * A name this deployment uses or used (`<slug>-<gen>-<n>`, or identity's `<slug>-<n>`). Stricter
 * than the prefix, so `base2-staging-eu-…` is not mistaken for one of `base2-staging`'s droplets.
 */
export function isDeploymentDropletName(name: string, slug: string): boolean {
  return parseDropletName(name, slug) !== undefined || dropletIndexOf(name, slug) !== undefined;
}
