/**
 * Asking the app's live URL (or, through its ingress, one of its custom host names) whether it
 * answers the expected status from the active deployment with the expected image.
 */
import type { AppSpec } from '../../config/app-spec.js';
import { componentsOf } from '../../config/app-spec.js';
import { type FetchFunction, toApiError } from '../../do/index.js';
import type { OpContext } from '../../ops/types.js';
import type { Check } from '../types.js';
import { findApp } from './read.js';
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

/** Where a live check sends its request, and how it names it. */
export interface LiveTarget {
  /** The check's name, e.g. `base2-staging live URL`. */
  name: string;
  url: string;
  fetch: FetchFunction;
  /** How the request is described in details: `GET <url>` and anything to add. */
  described: string;
  /** What a failure to get any answer adds in front of the reason. */
  unreachable?: string;
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
  const target = { name, url, fetch: ctx.api.https.request, described: `GET ${url}` };
  return servedCheck(ctx, app, desired, target, reread);
}

/** The answer at `target` is the expected status from the app's active deployment (see liveCheck). */
export async function servedCheck(
  ctx: OpContext,
  app: AppState,
  desired: AppDesired,
  target: LiveTarget,
  reread = true,
): Promise<Check> {
  const { name, described } = target;
  if (!app.active) return { kind: 'app', name, ok: false, detail: 'no deployment of the app is active' };
  try {
    const response = await target.fetch(target.url);
    const body = await response.text();
    const expect = desired.verify.expect_status;
    if (response.status !== expect) {
      return {
        kind: 'app',
        name,
        ok: false,
        detail: `${described} answered ${response.status}, expected ${expect}`,
      };
    }
    const problem = versionProblem(body, app.active.id, desired.spec);
    const served = parseVersion(body)?.deployment_id;
    if (problem && reread && typeof served === 'string' && served !== app.active.id) {
      const now = await findApp(ctx, app.name);
      if (now?.active?.id === served) {
        return servedCheck(ctx, now, desired, target, false);
      }
    }
    if (problem)
      return { kind: 'app', name, ok: false, detail: `${described} answered ${expect}, but ${problem}` };
    const images = expectedImages(desired.spec).join(', ');
    return {
      kind: 'app',
      name,
      ok: true,
      detail: `${described} answered ${expect} from deployment ${app.active.id}${images ? ` (${images})` : ''}`,
    };
  } catch (error) {
    const reason = toApiError(error, { action: 'check the live URL of', resource: `app ${app.name}` });
    const detail = target.unreachable ? `${target.unreachable}: ${reason.message}` : reason.message;
    return { kind: 'app', name, ok: false, detail };
  }
}
