import type { TimingProfile } from './core/types.js';

/**
 * How long DigitalOcean takes, in virtual milliseconds, from observed behaviour: a droplet boots
 * in about half a minute, actions take seconds (a resize about a minute), an App Platform image
 * deployment spends a few seconds pending, about a minute building and half a minute deploying, and a
 * deleted droplet stays listed for some twenty seconds.
 * Tests run the same profile with a large time scale; benchmarks run it at a realistic one.
 */
export const REALISTIC_TIMING: TimingProfile = {
  apiLatencyMs: 120,
  dropletBootMs: 35_000,
  actionMs: 8_000,
  resizeMs: 60_000,
  appPendingMs: 5_000,
  appBuildMs: 60_000,
  appDeployMs: 30_000,
  registryGcMs: 20_000,
  // Terraform's provider polls a deleted droplet until it answers 404; a recorded destroy took 32 s,
  // some 10 s of them the provider's own first wait (docs/fidelity.md, droplets.delete-async).
  dropletDeleteMs: 20_000,
};
