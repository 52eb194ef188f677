import { createDigitalOceanClient, DigitalOceanApiKeyAuthenticationProvider } from '@digitalocean/dots';
import { FetchRequestAdapter, HttpClient } from '@microsoft/kiota-http-fetchlibrary';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { accountModule } from '../../emulator/resources/account.js';
import { startTestEmulator, type TestEmulator } from '../support/emulator.js';

interface DotsError {
  responseStatusCode: number;
  id: string;
  messageEscaped: string;
  requestId: string;
  responseHeaders: Record<string, string[]>;
}

const UNAUTHORIZED = { id: 'unauthorized', message: 'Unable to authenticate you.' };

describe('bearer authentication', () => {
  let t: TestEmulator;

  beforeAll(async () => {
    t = await startTestEmulator({ modules: [accountModule] });
  });
  afterAll(async () => {
    await t?.stop();
  });
  beforeEach(async () => {
    await t.admin('POST', '/_emulator/reset');
  });

  /** A dots client like the test's own, holding another token. */
  const dotsWithToken = (token: string) => {
    const adapter = new FetchRequestAdapter(
      new DigitalOceanApiKeyAuthenticationProvider(token),
      undefined,
      undefined,
      new HttpClient(t.fetch as never),
    );
    adapter.baseUrl = t.emu.apiUrl;
    return createDigitalOceanClient(adapter);
  };
  const get = (path: string, headers: Record<string, string> = {}) =>
    t.fetch(`${t.emu.apiUrl}${path}`, { headers });

  it('refuses an unknown token through dots with 401 unauthorized and rate-limit headers', async () => {
    const failure = (await dotsWithToken(`dop_v1_${'0'.repeat(64)}`)
      .v2.account.get()
      .catch((e: unknown) => e)) as DotsError;
    expect(failure.responseStatusCode).toBe(401);
    expect(failure.id).toBe(UNAUTHORIZED.id);
    expect(failure.messageEscaped).toBe(UNAUTHORIZED.message);
    expect(failure.requestId).toMatch(/^[0-9a-f-]{36}$/);
    for (const name of ['ratelimit-limit', 'ratelimit-remaining', 'ratelimit-reset']) {
      expect(failure.responseHeaders[name], name).toHaveLength(1);
    }
  });

  it('refuses a request without an Authorization header in the same shape', async () => {
    const response = await get('/v2/account');
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({
      ...UNAUTHORIZED,
      request_id: response.headers.get('x-request-id'),
    });
    expect(response.headers.get('ratelimit-limit')).toBe('5000');
    expect(response.headers.get('ratelimit-remaining')).toBe('5000');
    expect(Number(response.headers.get('ratelimit-reset'))).toBeGreaterThan(Date.now() / 1000);
  });

  it('accepts only the Bearer scheme with the emulator token', async () => {
    expect((await get('/v2/account', { authorization: `Basic ${t.emu.token}` })).status).toBe(401);
    expect((await get('/v2/account', { authorization: t.emu.token })).status).toBe(401);
    expect((await get('/v2/account', { authorization: 'Bearer' })).status).toBe(401);
    expect((await get('/v2/account', { authorization: `Bearer ${t.emu.token}x` })).status).toBe(401);
    expect((await get('/v2/account', { authorization: `bearer ${t.emu.token}` })).status).toBe(200);
  });

  it('does not spend the quota on refused requests', async () => {
    await get('/v2/account');
    await get('/v2/account', { authorization: 'Bearer wrong' });
    const response = await get('/v2/account', { authorization: `Bearer ${t.emu.token}` });
    expect(response.headers.get('ratelimit-remaining')).toBe('4999');
  });

  it('guards the admin API with the same token', async () => {
    const response = await get('/_emulator/state');
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject(UNAUTHORIZED);
    expect((await get('/_emulator/state', { authorization: `Bearer ${t.emu.token}` })).status).toBe(200);
  });

  it('issues a token in DigitalOcean personal access token shape', () => {
    expect(t.emu.token).toMatch(/^dop_v1_[0-9a-f]{64}$/);
  });
});
