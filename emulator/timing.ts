import type { TimingProfile } from './core/types.js';

/**
 * How long DigitalOcean takes, in virtual milliseconds, from observed behaviour: a droplet boots
 * in about half a minute, actions take seconds (a resize about a minute) and the droplet's status
 * follows a power action a few seconds after it completes, an App Platform image deployment spends
 * a few seconds pending, about a minute building and half a minute deploying; a custom domain whose
 * DNS points at the app is validated and has its certificate within a minute, and a deleted droplet
 * stays listed for some twenty seconds.
 * Tests run the same profile with a large time scale; benchmarks run it at a realistic one.
 *
 * cloud-init's figures are guesses (docs/fidelity.md, droplets.cloud-init-time): no public source
 * gives durations. They rest on what the work is — an apt index refresh, a Docker install of
 * about a hundred megabytes of packages, an image pull — on a 1 GB droplet.
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
  // A custom domain's DNS validation and certificate (guesses: docs/fidelity.md apps.domain-phases).
  appDomainVerifyMs: 20_000,
  appDomainCertMs: 40_000,
  registryGcMs: 20_000,
  cloudInitStartMs: 10_000,
  packageIndexMs: 15_000,
  packageUpgradeMs: 180_000,
  dockerInstallMs: 90_000,
  imagePullMs: 20_000,
  containerStartMs: 3_000,
  // Terraform's provider polls a deleted droplet until it answers 404; a recorded destroy took 32 s,
  // some 10 s of them the provider's own first wait (docs/fidelity.md, droplets.delete-async).
  dropletDeleteMs: 20_000,
};
