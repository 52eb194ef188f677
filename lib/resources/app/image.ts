/**
 * The invocation's image (`image_tag` or `image_digest`) applied to the app spec. The orchestrator
 * applies it to `deployment.app.spec` before asking for the desired state, so plan, readiness and
 * verify all see the version this deploy is meant to put live.
 */
import { type AppComponent, type AppSpec, COMPONENT_KINDS } from '../../config/app-spec.js';
import { IMAGE_DIGEST_PATTERN, IMAGE_TAG_PATTERN } from '../../config/image.js';
import { InputError, type Problem } from '../../errors.js';

export interface ImageChoice {
  tag?: string | undefined;
  digest?: string | undefined;
  /** Only components that run this repository change; every image component when absent. */
  repository?: string | undefined;
}

function problemsOf(image: ImageChoice): Problem[] {
  const problems: Problem[] = [];
  if (image.tag !== undefined && image.digest !== undefined) {
    problems.push({ path: 'image_digest', message: 'cannot be given together with image_tag: choose one' });
  }
  if (image.tag !== undefined && !IMAGE_TAG_PATTERN.test(image.tag)) {
    problems.push({
      path: 'image_tag',
      message: 'must be an image tag: letters, digits, _, . or -, at most 128 characters',
    });
  }
  if (image.digest !== undefined && !IMAGE_DIGEST_PATTERN.test(image.digest)) {
    problems.push({ path: 'image_digest', message: 'must be sha256: followed by 64 hex digits' });
  }
  return problems;
}

function retagged<C extends AppComponent>(component: C, image: ImageChoice): C {
  const source = component.image;
  if (!source || (image.repository !== undefined && source.repository !== image.repository)) return component;
  // App Platform takes a tag or a digest, never both: the new one replaces whichever was there.
  const { tag: _tag, digest: _digest, ...rest } = source;
  const pinned = image.digest !== undefined ? { digest: image.digest } : { tag: image.tag };
  return { ...component, image: { ...rest, ...pinned } };
}

/** Pure: the spec with the chosen tag or digest on the components that run the image. */
export function withImage(spec: AppSpec, image: ImageChoice): AppSpec {
  if (image.tag === undefined && image.digest === undefined) return spec;
  const problems = problemsOf(image);
  if (problems.length > 0) throw new InputError('The image to deploy', problems);
  const next: AppSpec = { ...spec };
  for (const kind of COMPONENT_KINDS) {
    const list = spec[kind];
    if (list) next[kind] = list.map((component) => retagged(component, image)) as never;
  }
  return next;
}
