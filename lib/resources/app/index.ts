/**
 * App Platform: the deployment's app, owned by exact name (`<name>-<environment>`), converged to
 * the manifest's app spec. The orchestrator applies the invocation's image with `withImage` to
 * `deployment.app.spec` before asking for the desired state.
 */
import type { Deployment } from '../../config/manifest.js';
import type { Facts, ResourceModule } from '../types.js';
import { applyApp } from './apply.js';
import { hostOf } from './host.js';
import { appWarnings, destroyApp, planApp } from './plan.js';
import { readApps } from './read.js';
import { appReadiness } from './readiness.js';
import type { AppActual, AppDesired } from './types.js';
import { verifyApp } from './verify.js';

export { customHosts, domainsReadiness } from './domain-check.js';
export { describeFailure, failingStep, pendingOf, tailLines } from './failure.js';
export { hostOf } from './host.js';
export { type ImageChoice, withImage } from './image.js';
export { type Ownership, ownershipOf, ownershipRefusal } from './ownership.js';
export {
  destroyApp,
  isLeftAlone,
  isPublishedSecretWarning,
  planApp,
  publishedSecretWarnings,
} from './plan.js';
export {
  DIGESTS_ENV_KEY,
  isToolEnvKey,
  recordedDigests,
  secretsOf,
  stampSpec,
  TOOL_ENV_KEYS,
  withoutProof,
} from './proof.js';
export { findApp, readApps } from './read.js';
export { appReadiness, readinessOf } from './readiness.js';
export { normalizeSpec, SECRET_VALUE, specDifferences, specMatches } from './spec-compare.js';
export { expandSpec, flattenSpec } from './spec-wire.js';
export type {
  AppActual,
  AppDesired,
  AppDomainState,
  AppPayload,
  AppState,
  DeploymentState,
} from './types.js';
export { expectedImages, liveCheck, verifyApp } from './verify.js';

function desiredApp(deployment: Deployment): AppDesired | undefined {
  const app = deployment.app;
  if (!app) return undefined;
  return { spec: app.spec, verify: app.verify, ...(deployment.appProof?.adopt ? { adopt: true } : {}) };
}

function appFacts(actual: AppActual): Partial<Facts> {
  const host = hostOf(actual.app?.defaultIngress);
  return host ? { appHost: host } : {};
}

export const appModule: ResourceModule<AppDesired, AppActual> = {
  kind: 'app',
  desired: desiredApp,
  read: readApps,
  plan: planApp,
  apply: applyApp,
  destroy: destroyApp,
  warnings: (actual, deployment, desired) => appWarnings(actual, deployment, desired),
  facts: appFacts,
  readiness: appReadiness,
  verify: verifyApp,
};
