import type { AppSpec } from './spec-schema.js';

export type Phase =
  | 'PENDING_BUILD'
  | 'BUILDING'
  | 'PENDING_DEPLOY'
  | 'DEPLOYING'
  | 'ACTIVE'
  | 'SUPERSEDED'
  | 'ERROR'
  | 'CANCELED';

/** The `deployment_types` filter values the emulator produces. */
export type DeploymentType = 'MANUAL' | 'DEPLOY_ON_PUSH' | 'MANUAL_ROLLBACK';

/** Why a deployment fails, decided when it is created (fault rules and the registry are read then). */
export interface DeploymentFailure {
  phase: 'build' | 'deploy';
  component: string;
  /** App Platform's reason code, e.g. `BuildJobFailed`. */
  code: string;
  message: string;
}

export interface DeploymentRecord {
  id: string;
  /** The spec this deployment runs, secrets in plain text (sealed only when shown). */
  spec: AppSpec;
  cause: string;
  type: DeploymentType;
  /** Virtual milliseconds. */
  createdAt: number;
  /** Phase durations fixed at creation, so a later timing change does not rewrite history. */
  timing: { pending: number; build: number; deploy: number };
  clonedFrom?: string;
  failure?: DeploymentFailure;
  /** Set when a newer deployment or a cancel stops it while in progress. */
  stop?: { at: number; phase: 'SUPERSEDED' | 'CANCELED' };
  /** Request lines the live URL appends to the run logs. */
  requests: { at: number; component: string; text: string }[];
}

/** A custom domain DigitalOcean has validated: its certificate follows, and it stays validated. */
export interface DomainCheck {
  /** Virtual ms of the validation. */
  validatedAt: number;
  /** Fixed at validation, so a later timing change does not rewrite the domain's history. */
  certMs: number;
}

export interface AppRecord {
  id: string;
  spec: AppSpec;
  createdAt: number;
  updatedAt: number;
  projectId?: string;
  /** `<name>-<5 hex>.ondigitalocean.app`, fixed at creation like DigitalOcean's default ingress. */
  ingressHost: string;
  /** Oldest first. */
  deployments: DeploymentRecord[];
  /** Custom domains DigitalOcean has validated, by host name (domains.ts). */
  domainChecks: Map<string, DomainCheck>;
  /** A rollback not yet committed or reverted: new deployments are refused meanwhile. */
  pin?: { deploymentId: string; priorSpec: AppSpec };
}
