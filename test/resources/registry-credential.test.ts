/**
 * The droplets' read-only registry credential: its errors give the advice that fits the failure,
 * "add a registry" only when there is none.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isToolError } from '../../lib/errors.js';
import { registryCredential } from '../../lib/resources/droplets/registry-credential.js';
import { seedRegistry } from '../ops/support.js';
import { startTestEmulator, type TestEmulator } from '../support/emulator.js';
import { type TestContext, testContext } from '../support/op-context.js';

describe('registryCredential', () => {
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

  const failure = async () => {
    try {
      await registryCredential(tc.ctx);
    } catch (error) {
      if (isToolError(error)) return error.describe();
      throw error;
    }
    throw new Error('expected a failure');
  };

  it('says to add a registry when the account has none', async () => {
    expect(await failure()).toMatch(/add a registry section/);
  });

  it('does not blame the manifest for a registry that answers 503', async () => {
    await seedRegistry(t);
    await t.admin('POST', '/_emulator/faults', {
      method: 'GET',
      path: '/v2/registry/docker-credentials',
      mode: 'error',
      status: 503,
      count: 8,
    });
    const described = await failure();
    expect(described).toMatch(/503|did not answer|unavailable/i);
    expect(described).not.toMatch(/add a registry section/);
  });

  it('gives a credential and keeps it out of the log', async () => {
    await seedRegistry(t);
    const auth = await registryCredential(tc.ctx);
    tc.ctx.log.info('probe', { auth });
    expect(tc.logs.join('\n')).not.toContain(auth);
  });
});
