import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConflictError } from '../../lib/errors.js';
import { type DeployResult, deployOperation } from '../../lib/ops/deploy/index.js';
import { startTestEmulator, type TestEmulator } from '../support/emulator.js';
import { TEST_REGISTRY } from '../support/op-context.js';
import { runOp } from './support.js';

/** Registry names are global on DigitalOcean: deploy asks before it creates, and refuses early. */
describe('deploy and the container registry name', () => {
  let t: TestEmulator;

  beforeAll(async () => {
    t = await startTestEmulator({ timeScale: 400 });
  });
  afterAll(async () => {
    await t?.stop();
  });
  beforeEach(async () => {
    await t.admin('POST', '/_emulator/reset');
  });

  const deploy = (input: Record<string, unknown>, env: Record<string, string> = {}) =>
    runOp<DeployResult>(t, deployOperation, { env: 'staging', ...input }, { env });
  const refusal = async (call: Promise<unknown>): Promise<ConflictError> => {
    const error = await call.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConflictError);
    return error as ConflictError;
  };
  const writes = async () =>
    (await t.requests()).filter((r) => r.method !== 'GET' && r.path !== '/v2/registry/validate-name');

  it('refuses a registry name another customer holds before creating anything, dry run too', async () => {
    // `base2` is among the names the emulator holds for other customers by default.
    for (const dryRun of [true, false]) {
      await t.admin('DELETE', '/_emulator/requests');
      const error = await refusal(deploy({ dry_run: dryRun }, { DO_REGISTRY_NAME: 'base2' }));
      expect(error.describe()).toMatch(
        /^Container registry name "base2" is taken: registry names are global on DigitalOcean and another account holds it.*nothing was created\. Choose a name of your own .*registry\.name in deployment\.yml \(the sample reads it from DO_REGISTRY_NAME\)/,
      );
      const requests = await t.requests();
      expect(requests.filter((r) => r.path === '/v2/registry/validate-name')).toMatchObject([
        { method: 'POST', status: 409 },
      ]);
      expect(await writes()).toEqual([]);
    }
  });

  it('plans the registry create once validate-name says the name is free', async () => {
    const { report } = await deploy({ dry_run: true }, { DO_REGISTRY_NAME: TEST_REGISTRY });
    expect(report.result.plan).toContainEqual(
      expect.objectContaining({ kind: 'registry', action: 'create', name: TEST_REGISTRY }),
    );
    const checks = (await t.requests()).filter((r) => r.path === '/v2/registry/validate-name');
    expect(checks).toMatchObject([{ method: 'POST', status: 204 }]);
    expect(await writes()).toEqual([]);
  });

  it('refuses droplets that pull from the manifest’s registry when the account’s one has another name', async () => {
    await t.dots.v2.registry.post({ name: 'acme', subscriptionTierSlug: 'basic', region: 'nyc3' });
    await t.admin('DELETE', '/_emulator/requests');
    const error = await refusal(deploy({ dry_run: true }, { DO_REGISTRY_NAME: TEST_REGISTRY }));
    expect(error.describe()).toContain(
      `The droplets pull registry.digitalocean.com/${TEST_REGISTRY}/base2:latest, but this account's container registry is "acme"`,
    );
    expect(error.describe()).toContain(
      'set registry.name in deployment.yml (the sample reads it from DO_REGISTRY_NAME) to "acme" and push the image to registry.digitalocean.com/acme/base2:latest',
    );
    // The account has a registry, so there is nothing to validate; nothing is written either.
    expect((await t.requests()).filter((r) => r.method !== 'GET')).toEqual([]);
  });

  it('uses the account’s registry of another name for an app (DOCR images name no registry), with a warning', async () => {
    await t.dots.v2.registry.post({ name: 'acme', subscriptionTierSlug: 'basic', region: 'nyc3' });
    const { report } = await deploy(
      { env: 'apponly', dry_run: true },
      { BASE2_MANIFEST: 'test/ops/fixtures/deployment.yml' },
    );
    expect(report.result.plan.filter((s) => s.kind === 'registry')).toEqual([]);
    expect(report.warnings.join('\n')).toContain(
      `The account's container registry is "acme", not "${TEST_REGISTRY}"`,
    );
  });
});
