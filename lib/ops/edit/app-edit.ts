/**
 * Pure: the app's part of an edit, as a patch of the spec DigitalOcean holds now — instance counts
 * and sizes, environment, image — with one plan step when anything changes, and the spec to put
 * back if the edit has to be undone.
 */
import type { AppSpec } from '../../config/app-spec.js';
import { OWNER_ENV_KEY } from '../../config/identity.js';
import type { Deployment } from '../../config/manifest.js';
import type { Problem } from '../../errors.js';
import {
  type AppDesired,
  type AppPayload,
  type AppState,
  expectedImages,
  ownershipOf,
  ownershipRefusal,
  specMatches,
  withImage,
} from '../../resources/app/index.js';
import { isMarkedFor, recordedDigests, stampSpec } from '../../resources/app/proof.js';
import type { PlanStep } from '../../resources/types.js';
import { componentNames, findComponent, patchEnvs } from './env-patch.js';
import type { ChangeSet } from './input.js';

export interface AppEdit {
  /** The update to apply; absent when the spec already is what the edit asks for. */
  step?: PlanStep<AppPayload>;
  /** What the edit puts live, and what a restore puts back. */
  next: AppDesired;
  previous: AppDesired;
  /** The deployment live before the edit: a successful edit replaces it. */
  activeBefore: string | undefined;
  /** Nothing to change, but a deployment of an earlier call of this edit is still running: follow it. */
  continuing: boolean;
  changes: string[];
}

function patchScale(spec: AppSpec, scale: ChangeSet['app']['scale'], problems: Problem[]): string[] {
  const changes: string[] = [];
  for (const [name, wanted] of Object.entries(scale)) {
    const found = findComponent(spec, name);
    if (!found) {
      problems.push({
        path: `scale.app.${name}`,
        message: `there is no component named ${name} (the app has ${componentNames(spec).join(', ')})`,
      });
      continue;
    }
    if (found.kind === 'static_sites') {
      problems.push({
        path: `scale.app.${name}`,
        message: `${name} is a static site: it has no instances to scale`,
      });
      continue;
    }
    const component = found.component as { instance_count?: number; instance_size_slug?: string };
    const where = `${found.kind}.${name}`;
    const count = wanted.instance_count;
    if (count !== undefined && count !== (component.instance_count ?? 1)) {
      changes.push(`${where}.instance_count: ${component.instance_count ?? 1} → ${count}`);
      component.instance_count = count;
    }
    const size = wanted.instance_size_slug;
    if (size !== undefined && size !== component.instance_size_slug) {
      changes.push(`${where}.instance_size_slug: ${component.instance_size_slug ?? '(default)'} → ${size}`);
      component.instance_size_slug = size;
    }
  }
  return changes;
}

function patchImage(spec: AppSpec, image: ChangeSet['image'], repository: string | undefined): AppSpec {
  if (!image) return spec;
  return withImage(spec, { ...image, ...(repository === undefined ? {} : { repository }) });
}

/** Pure: the app's edit against the app as read, with the problems that make it impossible. */
export function planAppEdit(
  deployment: Deployment,
  changes: ChangeSet,
  app: AppState,
): { edit: AppEdit; problems: Problem[] } {
  const problems: Problem[] = [];
  const verify = deployment.app?.verify ?? { path: '/', expect_status: 200 };
  // An app with the deployment's name that the tool cannot prove it made is not edited at all.
  const ownership = ownershipOf(app, deployment.app?.spec, deployment.appProof?.adopt);
  if (ownership.state === 'unproven')
    problems.push({ path: 'env', message: ownershipRefusal(app, ownership.why, 'edit') });
  const spec = structuredClone(app.spec);
  const proof = deployment.appProof && { slug: deployment.slug, key: deployment.appProof.key };
  const envs = patchEnvs(spec, changes.app.setEnv, changes.app.unsetEnv, proof);
  const lines = [...patchScale(spec, changes.app.scale, problems), ...envs.changes];
  problems.push(...envs.problems);
  let next = patchImage(spec, changes.image, deployment.app?.image?.repository);
  const images = (of: AppSpec) => [...new Set(expectedImages(of))].join(', ');
  const [before, after] = [images(app.spec), images(next)];
  if (before !== after) lines.push(`image: ${before} → ${after}`);
  // An app an earlier version deployed (or adopted now) gets the owner marker with its first change,
  // so it stays recognised once the change makes it differ from deployment.yml.
  if (
    lines.length > 0 &&
    deployment.appProof &&
    ownership.state !== 'proven' &&
    !isMarkedFor(next, app.name)
  ) {
    next = stampSpec(next, app.name, deployment.appProof.key, recordedDigests(next));
    lines.push(`${OWNER_ENV_KEY}: ownership marker added`);
  }
  const step: PlanStep<AppPayload> | undefined =
    lines.length > 0
      ? {
          kind: 'app',
          action: 'update',
          name: app.name,
          id: app.id,
          reason: lines.join('; '),
          payload: { spec: next },
        }
      : undefined;
  // Continuing an earlier call of this edit: the change is in the spec, but its deployment is still
  // running, or did not go live (it failed after that call returned): follow it, or restore.
  const live =
    app.active !== undefined && (app.active.spec === undefined || specMatches(app.spec, app.active.spec));
  const continuing = !step && (app.inProgress !== undefined || !live);
  const previousSpec = continuing ? (app.active?.spec ?? app.spec) : app.spec;
  return {
    edit: {
      ...(step ? { step } : {}),
      next: { spec: next, verify },
      previous: { spec: previousSpec, verify },
      activeBefore: app.active?.id,
      continuing,
      changes: lines,
    },
    problems,
  };
}
