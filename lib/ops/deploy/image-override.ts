import type { Deployment } from '../../config/manifest.js';
import { withImage } from '../../resources/app/index.js';

export interface ImageOverride {
  tag?: string | undefined;
  digest?: string | undefined;
}

/**
 * The deployment with the invocation's image applied: the app's components that run the
 * manifest's image, and the droplets' container, get the tag or digest asked for.
 */
export function overrideImage(deployment: Deployment, image: ImageOverride): Deployment {
  if (!image.tag && !image.digest) return deployment;
  const next: Deployment = { ...deployment };
  if (deployment.app) {
    next.app = {
      ...deployment.app,
      spec: withImage(deployment.app.spec, {
        ...(image.tag ? { tag: image.tag } : {}),
        ...(image.digest ? { digest: image.digest } : {}),
        ...(deployment.app.image ? { repository: deployment.app.image.repository } : {}),
      }),
    };
  }
  if (deployment.droplets) {
    next.droplets = {
      ...deployment.droplets,
      container: {
        ...deployment.droplets.container,
        image: retag(deployment.droplets.container.image, image),
      },
    };
  }
  return next;
}

/** `registry/repo:old` or `registry/repo@sha256:…` → the same repository at the new tag or digest. */
export function retag(reference: string, image: ImageOverride): string {
  const lastSlash = reference.lastIndexOf('/');
  const at = reference.indexOf('@', lastSlash);
  const colon = reference.indexOf(':', lastSlash);
  const end = at >= 0 ? at : colon >= 0 ? colon : reference.length;
  const repository = reference.slice(0, end);
  return image.digest ? `${repository}@${image.digest}` : `${repository}:${image.tag}`;
}
