/**
 * Who owns what. A deployment is `<name>-<environment>`; every resource name starts with it, and
 * every taggable resource carries it plus OWNER_TAG. Apps cannot carry tags, so the deployment's app
 * (named exactly like the deployment, which is why the slug must itself be a valid app name) carries
 * the same proof as a variable of its spec instead (lib/resources/app/proof.ts).
 */
import { createHmac } from 'node:crypto';
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

/**
 * The app's counterpart of the two tags: a GENERAL app-wide variable the tool writes into the spec
 * of the app it creates (or adopts), whose value names the deployment and the tool.
 */
export const OWNER_ENV_KEY = 'BASE2_DO_OWNER';

export function ownerMarker(slug: string): string {
  return `${OWNER_TAG} ${slug}`;
}

/**
 * Keyed digests of SECRET values: App Platform never shows a SECRET again (`EV[…]`), so the tool
 * records HMACs of the plain values it sent and compares those. `id` tells which key made a digest
 * (a digest made with another key proves nothing either way); the key itself is held only inside
 * `digest` and never serialised.
 */
export interface DigestKey {
  readonly id: string;
  digest(slug: string, path: string, value: string): string;
}

/**
 * The digest key, derived from the DigitalOcean token: the one secret every invocation has (CLI and
 * functions alike), already kept out of every output. Someone who can read the app's spec but not
 * the token cannot test guesses of a secret against its digest. Another token derives another key:
 * its first deploy rolls every SECRET out again (same values) and records digests under its key.
 */
export function digestKeyOf(token: string): DigestKey {
  const key = createHmac('sha256', token).update('base2-do secret digests v1').digest();
  const id = createHmac('sha256', key).update('key id').digest('hex').slice(0, 12);
  return {
    id,
    digest: (slug, path, value) =>
      createHmac('sha256', key).update(`${slug}\0${path}\0${value}`).digest('base64url').slice(0, 22),
  };
}

/** A SECRET value deployment.yml's app spec file publishes (a literal, or a `${VAR:-default}`). */
export interface PublishedSecret {
  /** The digest of the published value under the invocation's key: the value itself is never kept. */
  digest: string;
  /** The variable that overrides it, when the file takes it from one. */
  variable?: string;
  /** The file that publishes it, as a person finds it (`.do/app.yaml`). */
  source: string;
}

/** What an operation tells the app module about the app's proof (set by lib/ops/deployment.ts). */
export interface AppProofOptions {
  key: DigestKey;
  /** The invocation's adopt_app: take over an app with the deployment's name that carries no proof. */
  adopt?: boolean;
  /** By SECRET path (`services.web.envs.KEY`). */
  published?: ReadonlyMap<string, PublishedSecret>;
}
