/**
 * Who owns what. A deployment is `<name>-<environment>`; every resource name starts with it, and
 * every taggable resource carries it plus OWNER_TAG. Apps (not taggable) are owned by exact name,
 * which is why the slug must itself be a valid app name.
 */
import { InputError } from '../errors.js';
import { isAppName, nameRule } from './names.js';

export const OWNER_TAG = 'managed-by:base2-do';

/** `base2` + `staging` → `base2-staging`; throws when the result cannot name an app. */
export function deploymentSlug(name: string, environment: string): string {
  const slug = `${name}-${environment}`;
  if (!isAppName(slug)) {
    throw new InputError('The deployment', [{ path: 'deployment', message: slugProblem(slug) }]);
  }
  return slug;
}

/** Why `slug` cannot be a deployment slug, or undefined when it can. */
export function slugProblem(slug: string): string {
  const length = slug.length > 32 ? ` (it has ${slug.length} characters)` : '';
  return (
    `"${slug}" (<name>-<environment>) names the deployment's app, so it must be ${nameRule('app')}` +
    `${length}: shorten the name or the environment`
  );
}

export function ownershipTags(slug: string): [string, string] {
  return [slug, OWNER_TAG];
}

/** Ownership needs both tags: the slug alone could have been put there by hand. */
export function isOwnedByTags(tags: readonly string[] | null | undefined, slug: string): boolean {
  const carried = tags ?? [];
  return carried.includes(slug) && carried.includes(OWNER_TAG);
}

/** Droplets are numbered from 1: `base2-staging-1`. */
export function dropletName(slug: string, index: number): string {
  if (!Number.isInteger(index) || index < 1) throw new RangeError(`droplet index must be ≥ 1, got ${index}`);
  return `${slug}-${index}`;
}

/** The index in a droplet name built by `dropletName`, or undefined when the name is not one of ours. */
export function dropletIndexOf(name: string, slug: string): number | undefined {
  if (!name.startsWith(`${slug}-`)) return undefined;
  const rest = name.slice(slug.length + 1);
  return /^[1-9]\d*$/.test(rest) ? Number(rest) : undefined;
}

export function firewallName(slug: string): string {
  return `${slug}-fw`;
}

export function sshKeyName(slug: string): string {
  return `${slug}-key`;
}
