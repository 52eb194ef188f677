import type { AppSpec } from '../../config/app-spec.js';

/** What the manifest asks of App Platform: the fitted spec (image override applied) and the live check. */
export interface AppDesired {
  spec: AppSpec;
  verify: { path: string; expect_status: number };
  /** The invocation's adopt_app (./ownership.ts). */
  adopt?: boolean;
}

/** One step of a deployment's progress tree, the same shape at every depth. */
export interface DeploymentStep {
  name: string;
  status: string;
  componentName?: string;
  reason?: { code?: string; message?: string };
  steps: DeploymentStep[];
}

/** An App Platform deployment as the tool reads it. */
export interface DeploymentState {
  id: string;
  /** PENDING_BUILD, BUILDING, PENDING_DEPLOY, DEPLOYING, ACTIVE, SUPERSEDED, ERROR, CANCELED, … */
  phase: string;
  /** The spec it deploys, snake_case as App Platform writes it (SECRET values encrypted). */
  spec?: AppSpec;
  progress: { success: number; total: number; error: number; steps: DeploymentStep[] };
}

/** A custom domain of the app as App Platform reports it. */
export interface AppDomainState {
  /** The host name, lower case without a trailing dot. */
  domain: string;
  /** DEFAULT, PRIMARY, ALIAS (or absent: unspecified). */
  type?: string;
  /** PENDING, CONFIGURING, ACTIVE, ERROR, UNKNOWN. */
  phase: string;
  /** Why it is not ACTIVE, where the domain's progress says (its failed steps' reasons). */
  reason?: string;
}

/** The deployment's app: the one named exactly like the deployment. */
export interface AppState {
  id: string;
  name: string;
  /** The app's current spec, snake_case (SECRET values encrypted: `EV[1:…]`). */
  spec: AppSpec;
  /** `https://<app>.ondigitalocean.app`; empty until a deployment has gone live. */
  defaultIngress?: string;
  liveUrl?: string;
  active?: DeploymentState;
  /** The deployment still running (in progress, or pending), if any. */
  inProgress?: DeploymentState;
  /** The spec's custom domains with their phases (absent or empty when it lists none). */
  domains?: AppDomainState[];
}

export interface AppLookAlike {
  id: string;
  name: string;
}

export interface AppActual {
  /** The app whose name is exactly the deployment's slug (apps are owned by exact name). */
  app?: AppState;
  /** Apps whose names start with the slug but are not it: reported, never touched. */
  lookAlikes: AppLookAlike[];
}

/** What an apply step carries: the spec to send, or a new deployment of the spec as it stands. */
export type AppPayload = { spec: AppSpec; redeploy?: false } | { redeploy: true };
