/**
 * After converging: the app's active deployment is the newest and runs the spec just deployed, its
 * live URL answers the expected status with the expected version (live-check.ts), and so does every
 * host name the manifest's records point at the app, once App Platform reports its domain ACTIVE
 * (domain-check.ts).
 */
import type { Deployment } from '../../config/manifest.js';
import type { OpContext } from '../../ops/types.js';
import type { Check } from '../types.js';
import { verifyDomains } from './domain-check.js';
import { liveCheck } from './live-check.js';
import { summarize } from './plan.js';
import { findApp } from './read.js';
import { specDifferences } from './spec-compare.js';
import type { AppDesired, AppState } from './types.js';

export { expectedImages, liveCheck, liveUrlOf, servedCheck, versionProblem } from './live-check.js';

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
  const live = await liveCheck(ctx, app, desired);
  if (!live.ok) return [state, live];
  return [state, live, ...(await verifyDomains(ctx, deployment, app, desired))];
}
