import type { TimingProfile } from './core/types.js';

/**
 * How long DigitalOcean takes, in virtual milliseconds, from observed behaviour: a droplet boots
 * in about half a minute, actions take seconds (a resize about a minute), an App Platform image
 * deployment spends a few seconds pending, about a minute building and half a minute deploying; a
 * custom domain whose DNS points at the app is validated and has its certificate within a minute.
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
  // A custom domain's DNS validation and certificate (guesses: docs/fidelity.md apps.domain-phases).
  appDomainVerifyMs: 20_000,
  appDomainCertMs: 40_000,
  registryGcMs: 20_000,
};
