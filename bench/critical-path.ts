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

/**
 * A droplet of the tool's cloud-init: the boot, then cloud-init's first boot until the container
 * answers — Docker installed first unless the image has it (the Docker 1-Click, the default).
 */
export function dropletChainMs(t: TimingProfile, dockerReady = true): number {
  const install = dockerReady ? 0 : t.packageIndexMs + t.dockerInstallMs;
  return t.dropletBootMs + t.cloudInitStartMs + install + t.imagePullMs + t.containerStartMs;
}

export interface DeployShape {
  app: boolean;
  droplets: boolean;
  /** The droplets' image has Docker (default true: the sample's Docker 1-Click). */
  dockerReady?: boolean;
  /**
   * A DNS record points at the app: its CNAME can be written only once the app is live (its target
   * is the default ingress), and App Platform then validates the domain and issues its certificate.
   */
  appDomain?: boolean;
}

/** A first deploy's custom domain: validated, then its certificate issued, after the app went live. */
export function appDomainMs(t: TimingProfile): number {
  return t.appDomainVerifyMs + t.appDomainCertMs;
}

/**
 * A deploy's critical path: the app's deployment (then its domain) and the droplets' boot and first
 * boot run in parallel.
 */
export function deployCriticalPathMs(t: TimingProfile, shape: DeployShape): number {
  const app = shape.app ? appChainMs(t) + (shape.appDomain ? appDomainMs(t) : 0) : 0;
  const chains = [app, shape.droplets ? dropletChainMs(t, shape.dockerReady) : 0];
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
