import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { emulatorClock } from '../../bench/emulator-clock.js';
import { naiveDeploy } from '../../bench/naive-deploy.js';
import { bench, emulatorRequests, envFor, ROOT, seedRegistry } from '../../bench/support.js';
import { type Emulator, startEmulator } from '../../emulator/index.js';
import { loadEnv } from '../../lib/config/env.js';
import { loadManifest, resolveDeployment } from '../../lib/config/manifest.js';
import { createDoClient } from '../../lib/do/index.js';
import { type DeployResult, deployOperation } from '../../lib/ops/deploy/index.js';
import { type TeardownResult, teardownOperation } from '../../lib/ops/teardown/index.js';
import { withAppProof } from '../../lib/resources/app/proof-options.js';

// Fast enough for a test, slow enough that a 30 s request timeout stays 0.6 s of real time.
const SCALE = 50;
let emu: Emulator;

beforeEach(async () => {
  emu = await startEmulator({ timeScale: SCALE });
  await seedRegistry(emu);
});
afterEach(async () => {
  await emu.stop();
});

describe('the naive baseline deploy', () => {
  it('builds what our deploy builds, one resource at a time, so our deploy then plans no change', async () => {
    const envSource = envFor(emu);
    const env = loadEnv(envSource, { cwd: ROOT });
    // The spec our deploy writes (its ownership marker and SECRET digests included): only how it is made differs.
    const deployment = withAppProof(
      resolveDeployment(loadManifest(join(ROOT, 'deployment.yml'), envSource), 'staging', env),
      env.token,
      ROOT,
    );
    const clock = emulatorClock(emu.clock);
    const api = createDoClient({
      token: env.token,
      apiUrl: env.apiUrl,
      caPem: emu.caPem,
      clock,
      random: Math.random,
    });
    const lines: string[] = [];
    try {
      const result = await naiveDeploy(api, deployment, clock, {
        pollMs: 10_000,
        print: (l) => lines.push(l),
      });
      // App first, then each droplet after the one before it is active: at least the app's
      // deployment plus two boots, each rounded up to the 10 s poll.
      expect(result.wallMs).toBeGreaterThanOrEqual(100_000 + 2 * 35_000);
      expect(result.created).toEqual([
        'SSH key base2-staging-key',
        'app base2-staging',
        expect.stringMatching(/^droplet base2-staging-\w+-1$/),
        expect.stringMatching(/^droplet base2-staging-\w+-2$/),
        'domain staging.base2.example.com',
        'firewall base2-staging-fw',
      ]);
      expect(lines).toHaveLength(3);
    } finally {
      await api.close();
    }
    const log = await emulatorRequests(emu);
    // One create per droplet, never a multi-create.
    expect(log.filter((r) => r.method === 'POST' && r.path === '/v2/droplets')).toHaveLength(2);
    expect(log.filter((r) => r.method === 'POST' && r.path === '/v2/apps')).toHaveLength(1);

    const plan = await bench<DeployResult>(emu, deployOperation, { env: 'staging', dry_run: true });
    expect(plan.result.plan).toEqual([]);
    const down = await bench<TeardownResult>(emu, teardownOperation, { env: 'staging' });
    expect(down.status, down.result.failure).toBe('succeeded');
  });
});
