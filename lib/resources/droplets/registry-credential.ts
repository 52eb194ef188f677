import { isNotFound, toApiError } from '../../do/index.js';
import { OperationError } from '../../errors.js';
import type { OpContext } from '../../ops/types.js';

/**
 * Long enough for a droplet to boot and pull its image; after that Docker runs the image it has.
 * The credential is read-only either way, and its file is removed once the container runs.
 */
export const REGISTRY_CREDENTIAL_TTL_SECONDS = 3600;

/**
 * A read-only, expiring Docker credential for DOCR (the base64 `auth` of a Docker config). It is a
 * secret: registered with the redactor, in every form, before anything can log it.
 */
export async function registryCredential(ctx: OpContext): Promise<string> {
  let answer: Awaited<ReturnType<typeof ctx.api.client.v2.registry.dockerCredentials.get>>;
  try {
    answer = await ctx.api.client.v2.registry.dockerCredentials.get({
      queryParameters: { readWrite: false, expirySeconds: REGISTRY_CREDENTIAL_TTL_SECONDS },
    });
  } catch (error) {
    // Only a 404 means there is no registry; anything else keeps its own advice (a 5xx: try again).
    throw toApiError(error, {
      action: 'get a read-only registry credential for',
      resource: 'the droplets',
      ...(isNotFound(error)
        ? {
            hint: 'droplets.container.image is in the DigitalOcean registry, so the account needs one: add a registry section to deployment.yml, or use an image from another registry.',
          }
        : {}),
    });
  }
  const auth = answer?.auths?.registryDigitaloceanCom?.auth;
  if (!auth) {
    throw new OperationError('DigitalOcean answered the registry credential request without a credential.', {
      hint: 'Try again; if it persists, report it with the request ids from the log.',
    });
  }
  const decoded = Buffer.from(auth, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const halves = colon < 0 ? [] : [decoded.slice(0, colon), decoded.slice(colon + 1)];
  ctx.log.redactor.addAll([auth, decoded, ...halves]);
  return auth;
}
