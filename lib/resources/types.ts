import type { Deployment } from '../config/manifest.js';
import type { OpContext } from '../ops/types.js';

/** The resource kinds the tool converges, in the order a plan lists them. */
export type ResourceKind =
  | 'registry'
  | 'ssh_key'
  | 'app'
  | 'firewall'
  | 'droplet'
  | 'domain'
  | 'record'
  /** Only deleted, by teardown, once nothing carries them (lib/ops/teardown/tags.ts). */
  | 'tag';

export type StepAction = 'create' | 'update' | 'replace' | 'delete' | 'noop';

/**
 * One entry of a plan: data, with the reason a person reads in the dry-run table. Plans are
 * computed by pure functions of desired and actual state; only `apply` talks to DigitalOcean.
 */
export interface PlanStep<P = unknown> {
  kind: ResourceKind;
  action: StepAction;
  /** The resource's name (droplet name, app name, `A @`, …). */
  name: string;
  /** Why this step: "missing", "size s-1vcpu-1gb → s-2vcpu-2gb", "not in the manifest", … */
  reason: string;
  /** DigitalOcean's id of the existing resource, for update/replace/delete. */
  id?: string;
  /** What apply needs (a create request, the new spec, …); never shown raw to people. */
  payload?: P;
  /**
   * Apply only once the rest has converged and verified: e.g. deleting the droplets of a replaced
   * generation, so the old ones serve until the new ones answer.
   */
  deferred?: boolean;
}

/** What applying steps did: one entry per mutating call, mirrored by an audit record. */
export interface AppliedStep {
  kind: ResourceKind;
  action: StepAction;
  name: string;
  id?: string;
  outcome: 'ok' | 'failed' | 'skipped';
  detail?: string;
}

/** Facts only known once other resources exist: the records point at droplets and at the app. */
export interface Facts {
  /** Public IPv4 addresses of the deployment's active droplets. */
  dropletIpv4: string[];
  /**
   * Public IPv6 addresses of the same droplets, those that have one; left out by callers that
   * know no droplets (nothing is known then, as with an empty list).
   */
  dropletIpv6?: string[];
  /** The app's default ingress host name (the CNAME target). */
  appHost?: string;
}

/** A verification's answer for one thing that must be true after converging. */
export interface Check {
  kind: ResourceKind;
  name: string;
  ok: boolean;
  detail: string;
  /**
   * Not decided: DigitalOcean was still working on it when the deadline came (an app's custom
   * domain still being validated). The operation says `in_progress`, and the next call checks again.
   */
  pending?: true;
}

/** Whether a resource has settled: ready, still converging (with progress), or failed for good. */
export type Readiness =
  | { state: 'ready' }
  | { state: 'pending'; detail: string; fraction?: number; etaMs?: number }
  | { state: 'failed'; detail: string; logs?: string };

/**
 * Every resource kind has the same small interface. Adding a kind means adding one folder under
 * lib/resources and listing it in the deploy and teardown runbooks.
 */
export interface ResourceModule<Desired, Actual> {
  kind: ResourceKind;
  /** The state the manifest asks for; undefined when the deployment has no such section. */
  desired(deployment: Deployment, facts: Facts): Desired | undefined;
  /** Reads what exists now (owned resources, and look-alikes that are not ours, for warnings). */
  read(ctx: OpContext, deployment: Deployment): Promise<Actual>;
  /** Pure: the steps that take `actual` to `desired`. */
  plan(desired: Desired | undefined, actual: Actual): PlanStep[];
  /** Carries the steps out (the only place that mutates), auditing every call. */
  apply(ctx: OpContext, deployment: Deployment, steps: PlanStep[]): Promise<AppliedStep[]>;
  /** Pure: the steps that delete everything the deployment owns of this kind. */
  destroy(actual: Actual): PlanStep[];
  /**
   * Warnings from what was read: look-alikes not owned by us, duplicates, foreign DNS targets.
   * `desired` (with the facts) lets a kind compare values only known once other resources exist,
   * e.g. DNS records pointing somewhere other than the deployment's droplets.
   */
  warnings(actual: Actual, deployment: Deployment, desired?: Desired): string[];
  /** What this kind tells the others once it exists (droplet addresses, the app's host). */
  facts?(actual: Actual): Partial<Facts>;
  /** After apply: has it settled (droplets active, the app's deployment live)? Reads, never mutates. */
  readiness?(ctx: OpContext, deployment: Deployment, desired: Desired): Promise<Readiness>;
  /** Reads again and checks what must hold: health URLs, the live URL, DNS answers. */
  verify(ctx: OpContext, deployment: Deployment, desired: Desired): Promise<Check[]>;
}
