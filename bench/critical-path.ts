/**
 * The platform's critical path: the waits no tool can avoid, from the emulator's timing profile
 * (emulator/timing.ts, DigitalOcean's observed pace). Independent chains run side by side, so the
 * path is the longest chain, plus the API round trips that must happen one after another.
 */
import type { TimingProfile } from '../emulator/core/types.js';

/**
 * Round trips on any deploy's path: read what exists, create the first link (the SSH key or the
 * registry check), create the resource, see it ready, write DNS, verify. Teardown's are three:
 * read, delete (by tag, in parallel by kind), read again to prove nothing owned remains; with
 * droplets, DigitalOcean's own deletion (they stay listed until it is done) lies in between.
 */
export const DEPLOY_ROUND_TRIPS = 6;
export const TEARDOWN_ROUND_TRIPS = 3;

/** An App Platform image deployment: pending, build, pending again, deploy. */
export function appChainMs(t: TimingProfile): number {
  return t.appPendingMs * 2 + t.appBuildMs + t.appDeployMs;
}

export interface DeployShape {
  app: boolean;
  droplets: boolean;
}

/** A deploy's critical path: the app's deployment and the droplets' boot run in parallel. */
export function deployCriticalPathMs(t: TimingProfile, shape: DeployShape): number {
  const chains = [shape.app ? appChainMs(t) : 0, shape.droplets ? t.dropletBootMs : 0];
  return Math.max(...chains) + DEPLOY_ROUND_TRIPS * t.apiLatencyMs;
}

export function teardownCriticalPathMs(t: TimingProfile, shape: { droplets: boolean }): number {
  return (shape.droplets ? t.dropletDeleteMs : 0) + TEARDOWN_ROUND_TRIPS * t.apiLatencyMs;
}

/** The deploy overhead bar (DESIGN.md): wall time ≤ 1.10 × the critical path + 1 s. */
export function overheadLimitMs(criticalPathMs: number): number {
  return 1.1 * criticalPathMs + 1000;
}

export function ratio(value: number, reference: number): number {
  return reference > 0 ? Number((value / reference).toFixed(3)) : Number.NaN;
}
