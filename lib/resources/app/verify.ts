/**
 * After converging: the app's active deployment is the newest and runs the spec just deployed, and
 * its live URL answers the expected status with the expected version.
 */
import type { AppSpec } from '../../config/app-spec.js';
import { componentsOf } from '../../config/app-spec.js';
import type { Deployment } from '../../config/manifest.js';
import { toApiError } from '../../do/index.js';
import type { OpContext } from '../../ops/types.js';
import type { Check } from '../types.js';
import { summarize } from './plan.js';
import { findApp } from './read.js';
import { specDifferences } from './spec-compare.js';
import type { AppDesired, AppState } from './types.js';

/** Pure: `repository:tag` or `repository@digest` of every component that runs an image. */
export function expectedImages(spec: AppSpec): string[] {
  return componentsOf(spec).flatMap(({ component }) => {
    const image = component.image;
    if (!image) return [];
    return [
      image.digest ? `${image.repository}@${image.digest}` : `${image.repository}:${image.tag ?? 'latest'}`,
    ];
  });
}

/** Pure: the check of the active deployment against the spec. */
export function deploymentCheck(app: AppState, desired: AppDesired): Check {
  const check = (ok: boolean, detail: string): Check => ({ kind: 'app', name: app.name, ok, detail });
  if (app.inProgress) return check(false, `deployment ${app.inProgress.id} is still ${app.inProgress.phase}`);
  if (!app.active) return check(false, 'no deployment is active');
  const differences = specDifferences(desired.spec, app.active.spec ?? app.spec);
  if (differences.length > 0) {
    return check(false, `active deployment ${app.active.id} runs another spec (${summarize(differences)})`);
  }
  return check(true, `active deployment ${app.active.id} is the newest and runs the deployed spec`);
}

/** The live URL's JSON, when it reports one (the Base2 status page, the emulator's live URL). */
interface LiveVersion {
  deployment_id?: unknown;
  image?: unknown;
}

function parseVersion(body: string): LiveVersion | undefined {
  try {
    const value = JSON.parse(body) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as LiveVersion)
      : undefined;
  } catch {
    return undefined;
  }
}

function isExpectedImage(reported: string, expected: readonly string[]): boolean {
  return expected.some((ref) => reported === ref || reported.endsWith(`/${ref}`));
}

/** Pure: whether the live answer is the expected version. */
export function versionProblem(body: string, activeId: string, spec: AppSpec): string | undefined {
  const version = parseVersion(body);
  if (!version) return undefined;
  if (typeof version.deployment_id === 'string' && version.deployment_id !== activeId) {
    return `it serves deployment ${version.deployment_id}, not ${activeId}`;
  }
  const expected = expectedImages(spec);
  if (typeof version.image === 'string' && expected.length > 0 && !isExpectedImage(version.image, expected)) {
    return `it runs ${version.image}, not ${expected.join(' or ')}`;
  }
  return undefined;
}

export function liveUrlOf(app: AppState, path: string): string | undefined {
  const base = app.liveUrl ?? app.defaultIngress;
  if (!base) return undefined;
  return new URL(path.replace(/^\/+/, ''), base.endsWith('/') ? base : `${base}/`).href;
}

/**
 * The live URL answers the expected status from the app's active deployment, running `desired.spec`.
 * A deployment can become active between reading the app and asking its URL: when the answer comes
 * from another deployment, the app is read once more and, if that one is active now, checked again.
 */
export async function liveCheck(
  ctx: OpContext,
  app: AppState,
  desired: AppDesired,
  reread = true,
): Promise<Check> {
  const name = `${app.name} live URL`;
  const url = liveUrlOf(app, desired.verify.path);
  if (!url || !app.active) return { kind: 'app', name, ok: false, detail: 'the app has no live URL yet' };
  try {
    const response = await ctx.api.https.request(url);
    const body = await response.text();
    const expect = desired.verify.expect_status;
    if (response.status !== expect) {
      return {
        kind: 'app',
        name,
        ok: false,
        detail: `GET ${url} answered ${response.status}, expected ${expect}`,
      };
    }
    const problem = versionProblem(body, app.active.id, desired.spec);
    const served = parseVersion(body)?.deployment_id;
    if (problem && reread && typeof served === 'string' && served !== app.active.id) {
      const now = await findApp(ctx, app.name);
      if (now?.active?.id === served) {
        return liveCheck(ctx, now, desired, false);
      }
    }
    if (problem)
      return { kind: 'app', name, ok: false, detail: `GET ${url} answered ${expect}, but ${problem}` };
    const images = expectedImages(desired.spec).join(', ');
    return {
      kind: 'app',
      name,
      ok: true,
      detail: `GET ${url} answered ${expect} from deployment ${app.active.id}${images ? ` (${images})` : ''}`,
    };
  } catch (error) {
    const reason = toApiError(error, { action: 'check the live URL of', resource: `app ${app.name}` });
    return { kind: 'app', name, ok: false, detail: reason.message };
  }
}

export async function verifyApp(
  ctx: OpContext,
  deployment: Deployment,
  desired: AppDesired | undefined,
): Promise<Check[]> {
  if (!desired) return [];
  const app = await findApp(ctx, deployment.slug);
  if (!app) return [{ kind: 'app', name: deployment.slug, ok: false, detail: 'the app does not exist' }];
  const state = deploymentCheck(app, desired);
  if (!state.ok) return [state];
  return [state, await liveCheck(ctx, app, desired)];
}
