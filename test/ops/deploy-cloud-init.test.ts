import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeployResult } from '../../lib/ops/deploy/index.js';
import { deployOperation } from '../../lib/ops/deploy/index.js';
import { startTestEmulator, type TestEmulator } from '../support/emulator.js';
import { runOp, seedRegistry } from './support.js';

// The fixture's droplets run Debian: cloud-init installs Docker first, here for a virtual hour.
const MANIFEST = { BASE2_MANIFEST: 'test/ops/fixtures/deployment.yml' };
let t: TestEmulator;

beforeAll(async () => {
  t = await startTestEmulator({ timeScale: 400, timing: { dockerInstallMs: 3_600_000 } });
  await seedRegistry(t);
});
afterAll(async () => {
  await t.stop();
});

describe('deploy while cloud-init runs', () => {
  it('answers in_progress while the droplets are active but their container does not answer yet, and the next call finishes', async () => {
    const first = await runOp<DeployResult>(
      t,
      deployOperation,
      { env: 'droponly' },
      { env: MANIFEST, timeoutMs: 4_000 },
    );
    expect(first.report.status, JSON.stringify(first.report.result.failure)).toBe('in_progress');
    expect(first.report.result.progress?.detail).toMatch(
      /droplet: waiting for .* to answer on \d+\/healthz \(cloud-init installs Docker where the image lacks it/,
    );
    const droplets = (await t.dots.v2.droplets.get({ queryParameters: { tagName: 'base2-droponly' } }))
      ?.droplets;
    expect(droplets?.map((d) => d.status)).toEqual(['active', 'active']);

    await t.admin('POST', '/_emulator/clock', { advance_ms: 3_600_000 });
    const resume = first.report.result.resume;
    const second = await runOp<DeployResult>(
      t,
      deployOperation,
      { env: 'droponly', ...(resume ? { resume } : {}) },
      { env: MANIFEST },
    );
    expect(second.report.status, JSON.stringify(second.report.result.failure)).toBe('succeeded');
    expect(second.report.result.checks.filter((c) => c.kind === 'droplet').every((c) => c.ok)).toBe(true);
  });
});
