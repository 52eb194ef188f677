import { createHash } from 'node:crypto';
import type { EmuClock } from '../../core/clock.js';
import type { Faults } from '../../core/faults.js';
import type { Ids } from '../../core/ids.js';
import type { TimingProfile } from '../../core/types.js';
import { type Component, componentsOf, imageRef } from './components.js';
import type { AppRecord, DeploymentFailure, DeploymentRecord, DeploymentType } from './model.js';
import type { AppSpec, ImageSource } from './spec-schema.js';
import { isInProgress, phaseAt } from './timeline.js';

/** What the registry module offers (another module; absent when the emulator runs without it). */
export interface RegistryLookup {
  hasImage(repository: string, tagOrDigest: string): boolean;
}

export interface DeployContext {
  clock: EmuClock;
  timing: TimingProfile;
  ids: Ids;
  faults: Faults;
  registry(): RegistryLookup | undefined;
}

export interface DeploymentInput {
  spec: AppSpec;
  cause: string;
  type: DeploymentType;
  clonedFrom?: string;
}

/**
 * Starts a deployment: any deployment still in progress is superseded at once (App Platform runs
 * one at a time), and whether this one fails is decided now from fault rules and the registry.
 */
export function startDeployment(
  ctx: DeployContext,
  app: AppRecord,
  input: DeploymentInput,
): DeploymentRecord {
  const now = ctx.clock.now();
  for (const d of app.deployments) {
    if (isInProgress(phaseAt(app, d, now).phase)) d.stop = { at: now, phase: 'SUPERSEDED' };
  }
  const failure = decideFailure(ctx, componentsOf(input.spec));
  const deployment: DeploymentRecord = {
    id: ctx.ids.uuid(),
    spec: structuredClone(input.spec),
    cause: input.cause,
    type: input.type,
    createdAt: now,
    timing: {
      pending: ctx.timing.appPendingMs,
      build: ctx.timing.appBuildMs,
      deploy: ctx.timing.appDeployMs,
    },
    ...(input.clonedFrom ? { clonedFrom: input.clonedFrom } : {}),
    ...(failure ? { failure } : {}),
    requests: [],
  };
  app.deployments.push(deployment);
  return deployment;
}

function decideFailure(ctx: DeployContext, components: Component[]): DeploymentFailure | undefined {
  for (const c of components) {
    const image = c.spec.image;
    if (!image) continue;
    const ref = imageRef(image);
    const rule = ctx.faults.matchBuild(ref);
    if (rule) {
      const build = rule.phase === 'build';
      return {
        phase: rule.phase,
        component: c.name,
        code: build ? 'BuildJobFailed' : 'DeployContainerHealthChecksFailed',
        message:
          rule.message ??
          (build
            ? `the build of ${ref} exited with a non-zero code`
            : `${c.name} did not pass its health checks after starting ${ref}`),
      };
    }
    const missing = missingFromRegistry(ctx, image);
    if (missing) return { phase: 'build', component: c.name, code: 'BuildJobFailed', message: missing };
  }
  return undefined;
}

function missingFromRegistry(ctx: DeployContext, image: ImageSource): string | undefined {
  if (image.registry_type !== 'DOCR') return undefined;
  const registry = ctx.registry();
  if (!registry || registry.hasImage(image.repository ?? '', image.digest ?? image.tag ?? 'latest'))
    return undefined;
  return `image ${imageRef(image)} was not found in your DigitalOcean Container Registry`;
}

// Kubernetes' name alphabet (no vowels, no look-alikes): instance names look like real pod names.
const POD_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

function podHash(seed: string, length: number): string {
  const bytes = createHash('sha256').update(seed).digest();
  let out = '';
  for (let i = 0; i < length; i++) out += POD_ALPHABET[bytes[i]! % POD_ALPHABET.length];
  return out;
}

/** `<component>-<hash>-<suffix>` per instance (`instance_count` of them), stable per deployment. */
export function instanceNames(d: DeploymentRecord, component: Component): string[] {
  const count = component.spec.instance_count ?? 1;
  const set = podHash(`${d.id}:${component.name}`, 10);
  return Array.from(
    { length: count },
    (_, i) => `${component.name}-${set}-${podHash(`${d.id}:${component.name}:${i}`, 5)}`,
  );
}
