import { request as httpRequest } from 'node:http';
import { HeadersInspectionOptions, RetryHandlerOptions } from '@microsoft/kiota-http-fetchlibrary';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { notFound, unprocessable } from '../../emulator/core/http-error.js';
import type { EmulatorModule } from '../../emulator/core/types.js';
import { accountModule } from '../../emulator/resources/account.js';
import { startTestEmulator, type TestEmulator } from '../support/emulator.js';

/** A route that echoes the body it parsed, and two that fail the ways handlers do. */
const probeModule: EmulatorModule = {
  name: 'probe',
  register(core) {
    core.route('POST', '/v2/probe/echo', (req) => ({ status: 200, body: { received: req.body } }));
    core.route('GET', '/v2/probe/missing', () => {
      throw notFound();
    });
    core.route('POST', '/v2/probe/invalid', () => {
      throw unprocessable('name is invalid');
    });
  },
};

const RATELIMIT_HEADERS = ['ratelimit-limit', 'ratelimit-remaining', 'ratelimit-reset'];

describe('emulator core', () => {
  let t: TestEmulator;
  let auth: { authorization: string };

  beforeAll(async () => {
    t = await startTestEmulator({ modules: [accountModule, probeModule] });
    auth = { authorization: `Bearer ${t.emu.token}` };
  });
  afterAll(async () => {
    await t?.stop();
  });
  beforeEach(async () => {
    await t.admin('POST', '/_emulator/reset');
  });

  const api = (path: string, init: RequestInit = {}) =>
    t.fetch(`${t.emu.apiUrl}${path}`, { ...init, headers: { ...auth, ...(init.headers as object) } });

  it('serves the API over HTTPS to a client that trusts its CA', async () => {
    const response = await t.dots.v2.account.get();
    expect(response?.account?.email).toBe('sammy@base2.example.com');
    expect(t.emu.apiUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
  });

  it('refuses plain HTTP on the API port and counts the attempt', async () => {
    const port = Number(new URL(t.emu.apiUrl).port);
    const outcome = await new Promise<string>((resolve) => {
      const req = httpRequest({ host: '127.0.0.1', port, path: '/v2/account', headers: auth }, (res) =>
        resolve(`answered ${res.statusCode}`),
      );
      req.on('error', (error: NodeJS.ErrnoException) => resolve(`refused ${error.code ?? error.message}`));
      req.end();
    });
    expect(outcome).toMatch(/^refused/);
    const state = (await t.admin('GET', '/_emulator/state')) as { _counters: Record<string, number> };
    expect(state._counters.plaintext_attempts).toBe(1);
  });

  it('puts rate-limit headers and a request id on a successful answer', async () => {
    const inspect = new HeadersInspectionOptions({ inspectResponseHeaders: true });
    await t.dots.v2.account.get({ options: [inspect] });
    const headers = inspect.getResponseHeaders();
    for (const name of [...RATELIMIT_HEADERS, 'x-request-id']) expect(headers.get(name)?.size, name).toBe(1);
    expect([...headers.get('x-request-id')!][0]).toMatch(/^[0-9a-f-]{36}$/);
    expect([...headers.get('ratelimit-limit')!][0]).toBe('5000');
  });

  it('puts rate-limit headers and the request id on error answers of API routes', async () => {
    await t.admin('POST', '/_emulator/faults', {
      method: 'GET',
      path: '/v2/account',
      mode: 'error',
      status: 503,
    });
    const failure = (await t.dots.v2.account
      .get({ options: [new RetryHandlerOptions({ maxRetries: 0 })] })
      .then(
        () => undefined,
        (e: unknown) => e,
      )) as
      | { responseStatusCode: number; requestId: string; responseHeaders: Record<string, string[]> }
      | undefined;
    expect(failure?.responseStatusCode).toBe(503);
    for (const name of RATELIMIT_HEADERS) expect(failure?.responseHeaders[name], name).toHaveLength(1);
    expect(failure?.responseHeaders['x-request-id']).toEqual([failure?.requestId]);

    for (const response of [
      await api('/v2/probe/missing'),
      await api('/v2/probe/invalid', { method: 'POST' }),
    ]) {
      const body = (await response.json()) as { request_id: string };
      for (const name of RATELIMIT_HEADERS) expect(response.headers.get(name), name).not.toBeNull();
      expect(response.headers.get('x-request-id')).toBe(body.request_id);
    }
  });

  it('gives every answer its own request id', async () => {
    const ids = new Set<string | null>();
    for (let i = 0; i < 5; i++) ids.add((await api('/v2/account')).headers.get('x-request-id'));
    expect(ids.size).toBe(5);
  });

  it('answers handler errors in DigitalOcean shape with the right status', async () => {
    const missing = await api('/v2/probe/missing');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await missing.json()).toEqual({
      id: 'not_found',
      message: 'The resource you were accessing could not be found.',
      request_id: missing.headers.get('x-request-id'),
    });
    const invalid = await api('/v2/probe/invalid', { method: 'POST' });
    expect(invalid.status).toBe(422);
    expect(await invalid.json()).toMatchObject({ id: 'unprocessable_entity', message: 'name is invalid' });
  });

  it('answers an unknown route with a DigitalOcean-shaped 404', async () => {
    const response = await api('/v2/no-such-thing/42');
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({
      id: 'not_found',
      message: 'The resource you were accessing could not be found.',
      request_id: response.headers.get('x-request-id'),
    });
  });

  it('answers a known path with the wrong method with 405', async () => {
    const response = await api('/v2/account', { method: 'DELETE' });
    expect(response.status).toBe(405);
    expect(await response.json()).toMatchObject({ id: 'method_not_allowed', request_id: expect.any(String) });
    expect((await api('/v2/account')).status).toBe(200);
  });

  it('keeps the last of repeated keys in a JSON body', async () => {
    const response = await api('/v2/probe/echo', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"name":"first","size":"s-1vcpu-1gb","name":"last","tags":["a"],"tags":["b","c"]}',
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      received: { name: 'last', size: 's-1vcpu-1gb', tags: ['b', 'c'] },
    });
  });

  it('refuses a body that is not JSON with 400 in DigitalOcean shape', async () => {
    const response = await api('/v2/probe/echo', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"name":',
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      id: 'bad_request',
      message: 'error parsing request body',
      request_id: response.headers.get('x-request-id'),
    });
  });

  it('logs every API request it answered, including failures', async () => {
    await api('/v2/account');
    await api('/v2/probe/missing');
    await api('/v2/no-such-thing');
    const log = await t.requests();
    expect(log.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
      'GET /v2/account 200',
      'GET /v2/probe/missing 404',
      'GET /v2/no-such-thing 404',
    ]);
  });
});
