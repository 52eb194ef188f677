import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OWNER_TAG } from '../../lib/config/identity.js';
import { type DeployResult, deployOperation } from '../../lib/ops/deploy/index.js';
import { type TeardownResult, teardownOperation } from '../../lib/ops/teardown/index.js';
import { startTestEmulator, type TestEmulator } from '../support/emulator.js';
import { TEST_REGISTRY } from '../support/op-context.js';
import { runOp, seedRegistry } from './support.js';

const MANIFEST = { BASE2_MANIFEST: 'test/ops/fixtures/deployment.yml' };
let t: TestEmulator;

beforeEach(async () => {
  t = await startTestEmulator({ timeScale: 400 });
  await seedRegistry(t);
});
afterEach(async () => {
  await t.stop();
});

const deploy = (input: Record<string, unknown>) =>
  runOp<DeployResult>(t, deployOperation, input, { env: MANIFEST });
const teardown = (input: Record<string, unknown>) =>
  runOp<TeardownResult>(t, teardownOperation, input, { env: MANIFEST });

describe('teardown', () => {
  it('removes everything owned, leaves look-alikes, the registry and the control plane, and is idempotent', async () => {
    const deployed = await deploy({ env: 'staging' });
    expect(deployed.report.status, JSON.stringify(deployed.report.result.failure)).toBe('succeeded');
    // A look-alike: the deployment's tag, but not made (owned) by the tool.
    await t.dots.v2.tags.post({ name: 'base2-staging' });
    const foreign = await t.dots.v2.droplets.post({
      name: 'base2-staging-handmade',
      region: 'nyc3',
      size: 's-1vcpu-1gb',
      image: 'debian-12-x64',
      tags: ['base2-staging'],
    } as never);
    const namespace = await t.dots.v2.functions.namespaces.post({ label: 'base2-control', region: 'nyc1' });

    const dryRun = await teardown({ env: 'staging', dry_run: true });
    expect(dryRun.report.api_calls.mutating).toBe(0);
    expect(dryRun.report.result.plan.length).toBeGreaterThan(0);

    const { report } = await teardown({ env: 'staging' });
    expect(report.status, report.result.failure).toBe('succeeded');
    expect(report.result.remaining).toEqual([]);
    expect(report.warnings.join(' ')).toContain('base2-staging-handmade');

    const droplets = await t.dots.v2.droplets.get({ queryParameters: { perPage: 200 } });
    const left = droplets?.droplets ?? [];
    expect(left.map((d) => d.name)).toEqual(['base2-staging-handmade']);
    expect(left[0]?.tags).not.toContain(OWNER_TAG);
    const apps = await t.dots.v2.apps.get({ queryParameters: { perPage: 200 } });
    expect(apps?.apps ?? []).toEqual([]);
    const registry = await t.dots.v2.registry.get();
    expect(registry?.registry?.name).toBe(TEST_REGISTRY);
    const ns = await t.dots.v2.functions.namespaces.get();
    expect((ns?.namespaces ?? []).map((n) => n.label)).toContain('base2-control');
    expect(foreign).toBeTruthy();
    expect(namespace).toBeTruthy();

    const again = await teardown({ env: 'staging' });
    expect(again.report.status).toBe('noop');
    expect(again.report.api_calls.mutating).toBe(0);
  });

  it('deletes what the deployment owns of kinds whose section was removed from deployment.yml since', async () => {
    const deployed = await deploy({ env: 'staging' });
    expect(deployed.report.status, JSON.stringify(deployed.report.result.failure)).toBe('succeeded');
    const { report } = await runOp<TeardownResult>(
      t,
      teardownOperation,
      { env: 'staging' },
      { env: { BASE2_MANIFEST: 'test/ops/fixtures/sections-removed.yml' } },
    );
    expect(report.status, report.result.failure).toBe('succeeded');
    expect(report.result.plan.map((s) => s.kind).sort()).toEqual(
      expect.arrayContaining(['app', 'droplet', 'firewall', 'ssh_key']),
    );
    expect(report.result.remaining).toEqual([]);
    const state = {
      droplets: (await t.dots.v2.droplets.get({ queryParameters: { perPage: 200 } }))?.droplets ?? [],
      apps: (await t.dots.v2.apps.get({ queryParameters: { perPage: 200 } }))?.apps ?? [],
      firewalls: (await t.dots.v2.firewalls.get({ queryParameters: { perPage: 200 } }))?.firewalls ?? [],
      keys: ((await t.dots.v2.account.keys.get({ queryParameters: { perPage: 200 } }))?.sshKeys ?? []).map(
        (k) => k.name,
      ),
    };
    expect(state).toEqual({ droplets: [], apps: [], firewalls: [], keys: [] });
  });

  it('deletes the registry only when asked', async () => {
    await deploy({ env: 'apponly' });
    const { report } = await teardown({ env: 'apponly', include_registry: true });
    expect(report.status, report.result.failure).toBe('succeeded');
    await expect(t.dots.v2.registry.get()).rejects.toMatchObject({ responseStatusCode: 404 });
  });

  it('a failure part-way leaves a state the next teardown finishes', async () => {
    await deploy({ env: 'staging' });
    await t.admin('POST', '/_emulator/faults', {
      method: 'DELETE',
      path: '/v2/apps/*',
      mode: 'error',
      status: 500,
      count: 10,
    });
    const first = await teardown({ env: 'staging' });
    expect(first.report.status).toBe('failed');
    await t.admin('DELETE', '/_emulator/faults');
    const second = await teardown({ env: 'staging' });
    expect(second.report.status, second.report.result.failure).toBe('succeeded');
    expect(second.report.result.remaining).toEqual([]);
  });
});
