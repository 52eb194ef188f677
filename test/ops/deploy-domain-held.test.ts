/**
 * A domain is in one DigitalOcean account at most: a deploy whose domain another customer holds is
 * refused when it adds it, which it does first, so nothing is built for a deployment that cannot
 * have its name. No read shows the domain held elsewhere, so a dry run can only say so.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeployResult } from '../../lib/ops/deploy/index.js';
import { deployOperation } from '../../lib/ops/deploy/index.js';
import { startTestEmulator, type TestEmulator } from '../support/emulator.js';
import { runOp, seedRegistry } from './support.js';

const MANIFEST = { BASE2_MANIFEST: 'test/ops/fixtures/deployment.yml' };
const DOMAIN = 'staging.base2.example.com';
let t: TestEmulator;

beforeAll(async () => {
  t = await startTestEmulator({ timeScale: 400, heldDomains: [DOMAIN] });
  await seedRegistry(t);
});
afterAll(async () => {
  await t.stop();
});

const deploy = (input: Record<string, unknown>) =>
  runOp<DeployResult>(t, deployOperation, { env: 'staging', ...input }, { env: MANIFEST });

describe('deploy of a domain another DigitalOcean account holds', () => {
  it('a dry run plans to add it and says only the deploy can tell whether another account holds it', async () => {
    const { report } = await deploy({ dry_run: true });
    expect(report.result.plan).toContainEqual(
      expect.objectContaining({
        kind: 'domain',
        action: 'create',
        name: DOMAIN,
        reason: expect.stringContaining('whether another account holds it shows only when deploy adds it'),
      }),
    );
    expect(report.api_calls.mutating).toBe(0);
  });

  it('fails before any droplet, app or record is made, naming the domain and what to do', async () => {
    await t.admin('DELETE', '/_emulator/requests');
    const { report } = await deploy({});
    expect(report.status).toBe('failed');
    const detail = report.result.failure?.detail ?? '';
    expect(detail).toContain(`Domain ${DOMAIN} is held by another DigitalOcean account`);
    expect(detail).toContain('Remove the domain from the account that holds it, or set domain.name');
    const posts = (await t.requests()).filter((r) => r.method === 'POST').map((r) => r.path);
    expect(posts).toContain('/v2/domains');
    for (const path of ['/v2/droplets', '/v2/apps']) expect(posts).not.toContain(path);
    expect(posts.some((p) => p.endsWith('/records'))).toBe(false);
    expect(report.audit.find((a) => a.resource === `domain ${DOMAIN}`)).toMatchObject({
      action: 'create',
      outcome: 'failed',
    });
  });
});
