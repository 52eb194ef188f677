import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConflictError } from '../../lib/errors.js';
import {
  destroyRegistry,
  type RegistryActual,
  type RegistryDesired,
  registryModule,
  registryName,
} from '../../lib/resources/registry/index.js';
import { startTestEmulator, type TestEmulator } from '../support/emulator.js';
import { TEST_REGISTRY, type TestContext, testContext } from '../support/op-context.js';

const desired: RegistryDesired = { name: 'base2', tier: 'basic', region: 'nyc3' };
const existing = (name: string, tier = 'basic', region = 'nyc3'): RegistryActual => ({
  registry: { name, tier, region },
});

describe('registry plan (pure)', () => {
  it('creates the registry when the account has none, with the tier and region', () => {
    const [step] = registryModule.plan(desired, { registry: undefined });
    expect(step).toMatchObject({
      kind: 'registry',
      action: 'create',
      name: 'base2',
      payload: { name: 'base2', subscriptionTierSlug: 'basic', region: 'nyc3' },
    });
  });

  it('uses a registry of another name as it is: one registry per account', () => {
    const steps = registryModule.plan(desired, existing('acme'));
    expect(steps.map((s) => [s.action, s.name])).toEqual([['noop', 'acme']]);
    expect(registryName(existing('acme'))).toBe('acme');
  });

  it('never changes the tier (billing): the plan is a noop and a warning says so', () => {
    expect(registryModule.plan(desired, existing('base2', 'starter')).map((s) => s.action)).toEqual(['noop']);
  });

  it('refuses a name another account holds before any create, saying what to do', () => {
    const plan = () => registryModule.plan(desired, { registry: undefined, nameTaken: true });
    expect(plan).toThrow(ConflictError);
    expect(plan).toThrow(
      /Container registry name "base2" is taken: registry names are global on DigitalOcean/,
    );
    try {
      plan();
    } catch (error) {
      expect((error as ConflictError).hint).toContain('e.g. "yourteam-base2"');
      expect((error as ConflictError).hint).toContain('registry.name in deployment.yml');
    }
    // Only a name DigitalOcean said was free (or was not asked about) is planned for creation.
    expect(registryModule.plan(desired, { registry: undefined, nameTaken: false })[0]?.action).toBe('create');
  });

  it('refuses droplets pulling from the manifest’s registry when the account’s one has another name', () => {
    const image = 'registry.digitalocean.com/base2/base2:latest';
    const deploying = (name: string): RegistryActual => ({ ...existing(name), deploying: true });
    const plan = () => registryModule.plan({ ...desired, dropletImage: image }, deploying('acme'));
    expect(plan).toThrow(ConflictError);
    expect(plan).toThrow(
      `The droplets pull ${image}, but this account's container registry is "acme", not "base2"`,
    );
    // The same registry, or no droplets pulling from it: nothing to refuse.
    expect(registryModule.plan({ ...desired, dropletImage: image }, deploying('base2'))[0]?.action).toBe(
      'noop',
    );
    expect(registryModule.plan(desired, deploying('acme'))[0]?.action).toBe('noop');
    // Operations that create nothing (maintain plans for drift) only warn about it.
    expect(registryModule.plan({ ...desired, dropletImage: image }, existing('acme'))[0]?.action).toBe(
      'noop',
    );
  });

  it('plans nothing when the manifest has no registry section', () => {
    expect(registryModule.plan(undefined, existing('base2'))).toEqual([]);
  });

  it('destroy is empty unless the caller opts in, and only for the manifest’s name', () => {
    expect(registryModule.destroy(existing('base2'))).toEqual([]);
    expect(destroyRegistry(existing('base2'), { include: false, name: 'base2' })).toEqual([]);
    expect(destroyRegistry(existing('acme'), { include: true, name: 'base2' })).toEqual([]);
    expect(destroyRegistry({ registry: undefined }, { include: true, name: 'base2' })).toEqual([]);
    expect(destroyRegistry(existing('base2'), { include: true, name: 'base2' })).toMatchObject([
      { kind: 'registry', action: 'delete', name: 'base2' },
    ]);
  });
});

describe('registry against the emulator', () => {
  let t: TestEmulator;
  let tc: TestContext;

  beforeAll(async () => {
    t = await startTestEmulator();
    tc = testContext(t);
  });
  afterAll(async () => {
    await tc?.close();
    await t?.stop();
  });
  beforeEach(async () => {
    await t.admin('POST', '/_emulator/reset');
  });

  const mutating = async () => (await t.requests()).filter((r) => r.method !== 'GET');

  it('creates the registry, then a second deploy plans a noop and makes no mutating call', async () => {
    const deployment = tc.deployment('staging');
    const want = registryModule.desired(deployment, { dropletIpv4: [] })!;
    const applied = await registryModule.apply(
      tc.ctx,
      deployment,
      registryModule.plan(want, await registryModule.read(tc.ctx, deployment)),
    );
    expect(applied).toMatchObject([
      { kind: 'registry', action: 'create', name: TEST_REGISTRY, outcome: 'ok' },
    ]);
    const state = (await t.admin('GET', '/_emulator/state')) as { registry: unknown };
    expect(JSON.stringify(state.registry)).toContain(TEST_REGISTRY);

    await t.admin('DELETE', '/_emulator/requests');
    const actual = await registryModule.read(tc.ctx, deployment);
    expect(actual.registry).toMatchObject({ name: TEST_REGISTRY, tier: 'basic', region: 'nyc3' });
    const steps = registryModule.plan(want, actual);
    expect(steps.every((s) => s.action === 'noop')).toBe(true);
    expect(registryModule.warnings(actual, deployment)).toEqual([]);
    expect(await mutating()).toEqual([]);
    expect(await registryModule.verify(tc.ctx, deployment, want)).toMatchObject([
      { ok: true, name: TEST_REGISTRY },
    ]);
    expect(
      tc.ctx.audit.records().some((r) => r.resource === `registry ${TEST_REGISTRY}` && r.action === 'create'),
    ).toBe(true);
  });

  it('uses a registry of another name for the app, warns, and never replaces it', async () => {
    await t.dots.v2.registry.post({ name: 'acme', subscriptionTierSlug: 'starter', region: 'fra1' });
    await t.admin('DELETE', '/_emulator/requests');
    // The app's DOCR images name no registry; droplets pulling the manifest's registry are refused (above).
    const deployment = { ...tc.deployment('staging'), droplets: undefined };
    const actual = await registryModule.read(tc.ctx, deployment);
    const steps = registryModule.plan(registryModule.desired(deployment, { dropletIpv4: [] }), actual);
    expect(await registryModule.apply(tc.ctx, deployment, steps)).toEqual([]);
    expect(await mutating()).toEqual([]);
    const warnings = registryModule.warnings(actual, deployment).join('\n');
    expect(warnings).toContain(`"acme", not "${TEST_REGISTRY}"`);
    expect(warnings).toContain('starter tier');
    expect(warnings).toContain('fra1');
    expect(registryName(actual)).toBe('acme');
    // Teardown even with include_registry leaves a registry the manifest does not name.
    expect(destroyRegistry(actual, { include: true, name: TEST_REGISTRY })).toEqual([]);
  });

  it('deletes the registry only when teardown opts in, and a second delete is a no-op', async () => {
    await t.dots.v2.registry.post({ name: TEST_REGISTRY, subscriptionTierSlug: 'basic', region: 'nyc3' });
    const deployment = tc.deployment('staging');
    const actual = await registryModule.read(tc.ctx, deployment);
    expect(registryModule.destroy(actual)).toEqual([]);
    const steps = destroyRegistry(actual, { include: true, name: TEST_REGISTRY });
    expect(await registryModule.apply(tc.ctx, deployment, steps)).toMatchObject([
      { action: 'delete', outcome: 'ok' },
    ]);
    const after = await registryModule.read(tc.ctx, deployment);
    expect(after.registry).toBeUndefined();
    expect(destroyRegistry(after, { include: true, name: TEST_REGISTRY })).toEqual([]);
    // A stale step (already gone) is fine.
    expect(await registryModule.apply(tc.ctx, deployment, steps)).toMatchObject([
      { action: 'delete', outcome: 'ok', detail: 'already gone' },
    ]);
  });

  it('a create whose answer is lost still leaves exactly one registry', async () => {
    await t.admin('POST', '/_emulator/faults', {
      method: 'POST',
      path: '/v2/registry',
      mode: 'commit-then-error',
      status: 500,
      count: 1,
    });
    const deployment = tc.deployment('staging');
    const steps = registryModule.plan(registryModule.desired(deployment, { dropletIpv4: [] }), {
      registry: undefined,
    });
    expect(await registryModule.apply(tc.ctx, deployment, steps)).toMatchObject([
      { action: 'create', outcome: 'ok', name: TEST_REGISTRY },
    ]);
    const creates = (await t.requests()).filter((r) => r.method === 'POST' && r.path === '/v2/registry');
    expect(creates).toHaveLength(1);
    expect((await registryModule.read(tc.ctx, deployment)).registry?.name).toBe(TEST_REGISTRY);
  });
  it('never lets the token reach a log line or an audit record', () => {
    const written = [...tc.logs, JSON.stringify(tc.ctx.audit.records())].join('\n');
    expect(tc.ctx.audit.records().length).toBeGreaterThan(0);
    expect(written).not.toContain(t.emu.token);
  });
});
