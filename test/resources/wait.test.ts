/**
 * Waiting on DigitalOcean: a poll whose read fails in a way that passes (5xx after the transport's
 * retries) keeps the wait going; a read that is refused or finds nothing ends it.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../lib/resources/wait.js';
import { startTestEmulator, type TestEmulator } from '../support/emulator.js';
import { type TestContext, testContext } from '../support/op-context.js';

describe('waitFor', () => {
  let t: TestEmulator;
  let tc: TestContext;

  beforeAll(async () => {
    t = await startTestEmulator();
    tc = testContext(t, { timeoutMs: 30_000 });
  });
  afterAll(async () => {
    await tc?.close();
    await t?.stop();
  });
  beforeEach(async () => {
    await t.admin('DELETE', '/_emulator/faults');
  });

  it('keeps waiting through reads that fail with 5xx after every retry, and ends ready', async () => {
    // Four attempts per read: eight failures fail two polls in a row.
    await t.admin('POST', '/_emulator/faults', {
      method: 'GET',
      path: '/v2/account',
      mode: 'error',
      status: 503,
      count: 8,
    });
    let polls = 0;
    const state = await waitFor(tc.ctx, 'the account', async () => {
      polls++;
      await tc.ctx.api.client.v2.account.get();
      return { state: 'ready' };
    });
    expect(state).toEqual({ state: 'ready' });
    expect(polls).toBe(3);
    expect(tc.progress.map((p) => p.detail).join('\n')).toMatch(/did not answer .*trying again/);
  });

  it('ends at a read that is refused or finds nothing', async () => {
    const attempt = waitFor(tc.ctx, 'droplet 999', async () => {
      await tc.ctx.api.client.v2.droplets.byDroplet_id(999).get();
      return { state: 'ready' };
    });
    await expect(attempt).rejects.toMatchObject({ responseStatusCode: 404 });
  });
});
