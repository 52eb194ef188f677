/**
 * Container image references, shared by the manifest (`app.image`, `droplets.container.image`) and
 * the app spec (`image` of a component).
 */
import * as z from 'zod';
import { customError } from './input.js';

export const REGISTRY_TYPES = ['DOCR', 'DOCKER_HUB', 'GHCR'] as const;
export type RegistryType = (typeof REGISTRY_TYPES)[number];

const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
/** A repository inside a registry: `base2`, `library/nginx`. */
export const REPOSITORY_PATTERN = new RegExp(`^${PATH_COMPONENT}(?:/${PATH_COMPONENT})*$`);
export const IMAGE_TAG_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
export const IMAGE_DIGEST_PATTERN = /^sha256:[a-f0-9]{64}$/;
/** `[host[:port]/]repository[:tag][@digest]`, e.g. `registry.digitalocean.com/base2/base2:1.4.2`. */
export const IMAGE_REFERENCE_PATTERN = new RegExp(
  `^(?:[a-zA-Z0-9.-]+(?::[0-9]+)?/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*` +
    '(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$',
);

export const registryTypeSchema = z.enum(
  REGISTRY_TYPES,
  customError(`must be one of ${REGISTRY_TYPES.join(', ')}`),
);
export const repositorySchema = z
  .string()
  .regex(REPOSITORY_PATTERN, 'must be a repository name such as base2 or library/nginx (lowercase)');
/** Text only: YAML would read `tag: 1.10` as the number 1.1. */
export const imageTagSchema = z
  .string(customError("must be text: quote it (tag: '1.10') so YAML keeps it exactly as written"))
  .regex(IMAGE_TAG_PATTERN, 'must be an image tag: letters, digits, _, . or -, at most 128 characters');
export const imageDigestSchema = z
  .string()
  .regex(IMAGE_DIGEST_PATTERN, 'must be sha256: followed by 64 hex digits');
export const imageReferenceSchema = z
  .string()
  .regex(
    IMAGE_REFERENCE_PATTERN,
    'must be an image reference such as registry.digitalocean.com/base2/base2:latest',
  );

/** The host of DigitalOcean's container registry: `registry.digitalocean.com/<registry>/<repository>`. */
export const DOCR_HOST = 'registry.digitalocean.com';

/** Pure: the registry a `registry.digitalocean.com/<registry>/…` reference pulls from; undefined for other hosts. */
export function docrRegistryOf(image: string): string | undefined {
  const [host, registry, ...rest] = image.split('/');
  return host === DOCR_HOST && registry && rest.length > 0 ? registry : undefined;
}

interface ImageSourceFields {
  registry_type: RegistryType;
  registry?: string | undefined;
  tag?: string | undefined;
  digest?: string | undefined;
}

/** App Platform's rules for an image source that span its fields. */
export function checkImageSource(image: ImageSourceFields, ctx: z.RefinementCtx): void {
  const problem = (field: string, message: string) =>
    ctx.addIssue({ code: 'custom', path: [field], message });
  if (image.registry_type === 'DOCR' && image.registry) {
    problem('registry', 'must be left out for DOCR (the account has one registry)');
  }
  if (image.registry_type !== 'DOCR' && !image.registry) {
    problem(
      'registry',
      `is required for ${image.registry_type}: the user or organisation that owns the repository`,
    );
  }
  if (image.tag !== undefined && image.digest !== undefined) {
    problem('digest', 'cannot be given together with tag: choose one');
  }
}
