import type { TimingProfile } from './core/types.js';

/**
 * How long DigitalOcean takes, in virtual milliseconds, from observed behaviour: a droplet boots
 * in about half a minute, actions take seconds (a resize about a minute) and the droplet's status
 * follows a power action a few seconds after it completes, an App Platform image
 * deployment spends a few seconds pending, about a minute building and half a minute deploying.
 * Tests run the same profile with a large time scale; benchmarks run it at a realistic one.
 */
export const REALISTIC_TIMING: TimingProfile = {
  apiLatencyMs: 120,
  dropletBootMs: 35_000,
  actionMs: 8_000,
  resizeMs: 60_000,
  // "a few seconds" after a completed power off, the droplet still read `active` (droplet_kit#50).
  statusLagMs: 5_000,
  appPendingMs: 5_000,
  appBuildMs: 60_000,
  appDeployMs: 30_000,
  registryGcMs: 20_000,
};
