import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeployResult } from '../../lib/ops/deploy/index.js';
import { deployOperation } from '../../lib/ops/deploy/index.js';
import { infoOperation } from '../../lib/ops/info/index.js';
import { startTestEmulator, type TestEmulator } from '../support/emulator.js';
import { runOp, seedRegistry } from './support.js';

const MANIFEST = { BASE2_MANIFEST: 'test/ops/fixtures/firewall-closed.yml' };
let t: TestEmulator;

beforeAll(async () => {
  t = await startTestEmulator({ timeScale: 400 });
  await seedRegistry(t);
});
afterAll(async () => {
  await t.stop();
});

describe('deploy behind a firewall that shuts the tool out', () => {
  it('warns in the dry run and in info, then fails verification naming the firewall and the port, removing the droplets it made', async () => {
    const port = t.emu.httpPort;
    const warning = `firewall base2-staging-fw admits tcp port ${port} only from 203.0.113.0/24`;
    const dry = await runOp<DeployResult>(
      t,
      deployOperation,
      { env: 'staging', dry_run: true },
      { env: MANIFEST },
    );
    expect(dry.report.warnings).toContainEqual(expect.stringContaining(warning));
    expect(dry.report.api_calls.mutating).toBe(0);

    const { report } = await runOp<DeployResult>(
      t,
      deployOperation,
      { env: 'staging' },
      // Short probes and a short cloud-init allowance: the droplet boots and pulls in well under it.
      { env: MANIFEST, tuning: { serviceStartMs: 3_000, probeTimeoutMs: 300 } },
    );
    expect(report.status).toBe('failed');
    expect(report.warnings).toContainEqual(expect.stringContaining(warning));
    expect(report.result.failure?.kind).toBe('droplet');
    expect(report.result.failure?.detail).toContain(`:${port}/healthz`);
    expect(report.result.failure?.detail).toContain('gave no answer at all');
    expect(report.result.failure?.detail).toContain(warning);
    expect(report.result.failure?.cleanup).toMatch(/^removed the droplets this attempt created/);

    const info = await runOp(t, infoOperation, { env: 'staging' }, { env: MANIFEST });
    expect(info.report.warnings).toContainEqual(expect.stringContaining(warning));
  });
});
