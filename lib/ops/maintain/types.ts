import type { AppliedStep, Check, ResourceKind, StepAction } from '../../resources/types.js';

/**
 * What maintain does with a difference: `repair` what is safe to put back (a missing droplet, a DNS
 * record, the firewall), `cleanup` what an interrupted deploy left, `report` everything else (deploy
 * is the way to converge it).
 */
export type Treatment = 'repair' | 'report' | 'cleanup';

export interface DriftEntry {
  kind: ResourceKind;
  name: string;
  /** The step deploy would take: create, update, replace or delete. */
  action: StepAction;
  /** What differs, as the plan says it. */
  what: string;
  treatment: Treatment;
  /** Why this treatment, and for what is only reported, what to do. */
  note: string;
}

export type GarbageState = 'started' | 'running' | 'would start' | 'skipped';

/** The registry's clean-up: garbage collection of untagged manifests and unreferenced blobs. */
export interface GarbageReport {
  registry: string;
  untagged_manifests: number;
  state: GarbageState;
  detail: string;
  uuid?: string;
}

export interface MaintainResult {
  report_only: boolean;
  cleanup: boolean;
  /** At the start of the run, nothing differed from the manifest and nothing was stale. */
  clean: boolean;
  /** Every difference found at the start of the run, with what maintain does about it. */
  drift: DriftEntry[];
  /** What serves now (after repairs when there were any): live URL, droplets, DNS. */
  health: Check[];
  repaired: AppliedStep[];
  cleaned: AppliedStep[];
  registry_gc?: GarbageReport;
  /** Drift still there at the end: what only deploy converges, or what a repair did not fix. */
  remaining: DriftEntry[];
  /** What a person should do next. */
  advice: string[];
  /** Where it stopped when the deadline came; the next run continues from DigitalOcean's state. */
  progress?: { phase: string; detail: string };
  failure?: { kind: string; detail: string };
}
