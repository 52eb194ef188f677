/**
 * Whether the app named like the deployment is the deployment's. A name proves nothing (anyone can
 * make an app with it), so the tool changes or deletes that app only when:
 *
 * - it carries the deployment's owner marker (./proof.ts), which the tool writes into every app it
 *   creates or adopts; or
 * - it carries no marker but its spec is exactly the one deployment.yml makes, images (tag or
 *   digest) aside: an app an earlier version of the tool deployed, before it wrote markers. Deploy
 *   then adopts it (the update adds the marker) and says so; teardown deletes it. A hand-made app
 *   that happens to match everything but its image would be treated the same: it is this
 *   deployment's app in all but name already; or
 * - the invocation adopts it explicitly (`adopt_app`, `--adopt-app`).
 *
 * Anything else is refused before any change, with what to do.
 */
import type { AppSpec } from '../../config/app-spec.js';
import { componentsOf } from '../../config/app-spec.js';
import { OWNER_ENV_KEY } from '../../config/identity.js';
import { isMarkedFor, ownerOf, withoutProof } from './proof.js';
import { specDifferences } from './spec-compare.js';
import type { AppState } from './types.js';

export type Ownership =
  | { state: 'proven' }
  | { state: 'earlier-version' }
  | { state: 'adopted' }
  | { state: 'unproven'; why: string };

/** Pure: `desired` with each image component pinned as `actual` runs it, so images do not count. */
function imagesAsIn(desired: AppSpec, actual: AppSpec): AppSpec {
  const running = new Map(
    componentsOf(actual).flatMap(({ component }) =>
      component.image ? [[component.name, component.image]] : [],
    ),
  );
  const next = structuredClone(desired);
  for (const { component } of componentsOf(next)) {
    const image = running.get(component.name);
    if (!component.image || !image || image.repository !== component.image.repository) continue;
    const { tag: _tag, digest: _digest, ...rest } = component.image;
    component.image = {
      ...rest,
      ...(image.tag !== undefined ? { tag: image.tag } : {}),
      ...(image.digest !== undefined ? { digest: image.digest } : {}),
    };
  }
  return next;
}

/** Pure: whether `actual` is what deployment.yml makes, images and the tool's variables aside. */
export function isShapedLike(desired: AppSpec, actual: AppSpec): boolean {
  const want = withoutProof(imagesAsIn(desired, actual));
  return specDifferences(want, withoutProof(actual)).length === 0;
}

/**
 * Pure: how the tool may treat `app`. `desired` is deployment.yml's spec (absent when the manifest
 * no longer has an app section); `adopt` is the invocation's adopt_app.
 */
export function ownershipOf(app: AppState, desired: AppSpec | undefined, adopt = false): Ownership {
  if (isMarkedFor(app.spec, app.name)) return { state: 'proven' };
  if (adopt) return { state: 'adopted' };
  const marker = ownerOf(app.spec);
  if (marker !== undefined) {
    return { state: 'unproven', why: `its ${OWNER_ENV_KEY} variable names another owner` };
  }
  if (desired && isShapedLike(desired, app.spec)) return { state: 'earlier-version' };
  return {
    state: 'unproven',
    why: desired
      ? `it carries no ${OWNER_ENV_KEY} variable and its spec is not deployment.yml's`
      : `it carries no ${OWNER_ENV_KEY} variable and deployment.yml has no app to compare it with`,
  };
}

export function isOwned(ownership: Ownership): boolean {
  return ownership.state !== 'unproven';
}

/** The sentence that says why the app is not touched, and what to do; `op` is the refused operation. */
export function ownershipRefusal(app: AppState, why: string, op: 'deploy' | 'teardown' | 'edit'): string {
  return (
    `App ${app.name} (${app.id}) has the deployment's name but no proof that this tool made it (${why}): ` +
    `it was made by hand or by another tool, so ${op} leaves it alone. Rename or delete that app yourself, ` +
    "or deploy under another name or environment; if it is this deployment's app, run " +
    `${op === 'edit' ? 'deploy' : op} with --adopt-app (input adopt_app: true) to take it over${op === 'teardown' ? ' and delete it' : ''}.`
  );
}
