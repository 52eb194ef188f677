import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { accountModule } from '../../emulator/resources/account.js';
import { functionsModule } from '../../emulator/resources/functions/index.js';
import { startTestEmulator, type TestEmulator } from '../support/emulator.js';
import { createNamespace, OwClient } from './fixtures/functions/client.js';

/** The annotations functions-deployer sets for `web: true` / `web: raw` and `webSecure`. */
function webAnnotations(options: { raw?: boolean; secure?: string | false } = {}) {
  return [
    { key: 'web-export', value: true },
    { key: 'raw-http', value: options.raw ?? false },
    { key: 'require-whisk-auth', value: options.secure ?? false },
    { key: 'final', value: true },
  ];
}

interface EchoedEvent {
  http: Record<string, unknown> & { headers: Record<string, string> };
  [key: string]: unknown;
}

describe('web actions of a Functions namespace', () => {
  let t: TestEmulator;
  let ow: OwClient;
  const web = (path: string, init: RequestInit = {}) =>
    t.fetch(`${ow.ns.apiHost}/api/v1/web/${ow.ns.id}/${path}`, init);
  const echoed = async (response: Response) => ((await response.json()) as { event: EchoedEvent }).event;

  beforeAll(async () => {
    // 30 s of virtual time is 0.6 s at this scale: room for a process to answer on a loaded machine.
    t = await startTestEmulator({ modules: [accountModule, functionsModule], timeScale: 50 });
  });
  afterAll(async () => {
    await t?.stop();
  });
  beforeEach(async () => {
    await t.admin('POST', '/_emulator/reset');
    ow = new OwClient(t, await createNamespace(t, 'web'));
    await ow.request('PUT', '/namespaces/_/packages/site', {});
  });

  it('passes DigitalOcean’s event: query and JSON body merged, plus the http object', async () => {
    await ow.deploy('site/echo', 'web-echo.js', {
      parameters: [{ key: 'bound', value: 'param' }],
      annotations: webAnnotations(),
    });
    const response = await web('site/echo/items/42?color=blue', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'X-Custom': 'abc' },
      body: JSON.stringify({ size: 3 }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.headers.get('x-echo')).toBe('yes');
    expect(response.headers.get('x-openwhisk-activation-id')).toMatch(/^[0-9a-f]{32}$/);
    const event = await echoed(response);
    expect(event).toMatchObject({ bound: 'param', color: 'blue', size: 3 });
    expect(event.http).toMatchObject({ method: 'POST', path: '/items/42', queryString: 'color=blue' });
    expect(event.http.headers).toMatchObject({
      'x-custom': 'abc',
      'content-type': 'application/json',
      'x-forwarded-proto': 'https',
    });
    expect(event.http).not.toHaveProperty('body');
  });

  it('answers with the status, headers and body the function returns', async () => {
    await ow.deploy('page', 'web-page.js', { annotations: webAnnotations() });
    const response = await web('default/page?name=Sammy');
    expect(response.status).toBe(201);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(response.headers.get('x-served-by')).toBe('web-page');
    expect(await response.text()).toBe('<p>Sammy</p>');

    const asJson = await web('default/page.json?name=Json');
    expect(await asJson.json()).toMatchObject({ statusCode: 201, body: '<p>Json</p>' });
  });

  it('serves only exported actions', async () => {
    await ow.deploy('site/private', 'web-page.js', { annotations: [{ key: 'web-export', value: false }] });
    const response = await web('site/private');
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({
      error: 'The requested resource does not exist.',
      code: expect.any(String),
    });
  });

  it('requires X-Require-Whisk-Auth when the action is secured, without running it otherwise', async () => {
    await ow.deploy('site/secure', 'web-echo.js', {
      annotations: webAnnotations({ secure: 's3cret-value' }),
    });
    const attempts: Record<string, string>[] = [{}, { 'X-Require-Whisk-Auth': 'wrong' }];
    for (const headers of attempts) {
      const refused = await web('site/secure', { headers });
      expect(refused.status).toBe(401);
      expect(await refused.json()).toEqual({
        error: 'Authentication is possible but has failed or not yet been provided.',
        code: expect.any(String),
      });
    }
    const activations = await ow.request('GET', '/namespaces/_/activations');
    expect(activations.body).toEqual([]);

    const allowed = await web('site/secure', { headers: { 'X-Require-Whisk-Auth': 's3cret-value' } });
    expect(allowed.status).toBe(200);
    expect((await echoed(allowed)).http.headers['x-require-whisk-auth']).toBe('s3cret-value');
  });

  it('keeps the body raw for raw-http actions', async () => {
    await ow.deploy('site/raw', 'web-echo.js', { annotations: webAnnotations({ raw: true }) });
    const text = await echoed(
      await web('site/raw?a=1&b=2', {
        method: 'POST',
        headers: { 'content-type': 'text/plain' },
        body: 'plain words',
      }),
    );
    expect(text).toMatchObject({ __ow_body: 'plain words', __ow_query: 'a=1&b=2', __ow_method: 'post' });
    expect(text.http).toMatchObject({ body: 'plain words', isBase64Encoded: false, queryString: 'a=1&b=2' });
    expect(text).not.toHaveProperty('a');

    const json = await echoed(
      await web('site/raw', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"k":"v"}',
      }),
    );
    expect(json.http).toMatchObject({
      isBase64Encoded: true,
      body: Buffer.from('{"k":"v"}').toString('base64'),
    });
  });

  it('keeps one value per name for a web action, and hands a raw one repeats exactly as sent', async () => {
    const request = {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"k":"first","k":"last"}',
    };
    await ow.deploy('site/merged', 'web-echo.js', { annotations: webAnnotations() });
    const merged = await echoed(await web('site/merged?q=first&q=last', request));
    expect(merged).toMatchObject({ q: 'last', k: 'last' });
    expect(merged.http).not.toHaveProperty('body');

    await ow.deploy('site/raw', 'web-echo.js', { annotations: webAnnotations({ raw: true }) });
    const raw = await echoed(await web('site/raw?q=first&q=last', request));
    expect(raw).toMatchObject({
      __ow_query: 'q=first&q=last',
      __ow_body: Buffer.from(request.body).toString('base64'),
    });
    expect(raw).not.toHaveProperty('q');
    expect(raw).not.toHaveProperty('k');
  });

  it('refuses query or body parameters that would replace a fixed one', async () => {
    await ow.deploy('site/echo', 'web-echo.js', {
      parameters: [{ key: 'bound', value: 'param' }],
      annotations: webAnnotations(),
    });
    const response = await web('site/echo?bound=changed');
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      error: expect.stringMatching(/parameters that are not allowed/),
    });
  });

  it('answers CORS preflight without running the action', async () => {
    await ow.deploy('site/echo', 'web-echo.js', { annotations: webAnnotations({ secure: 'x' }) });
    const response = await web('site/echo', { method: 'OPTIONS' });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect((await ow.request('GET', '/namespaces/_/activations')).body).toEqual([]);
  });

  it('answers 202 "Response not yet ready." past the scaled synchronous limit', async () => {
    await ow.deploy('site/sleep', 'sleep.js', { annotations: webAnnotations(), limits: { timeout: 10_000 } });
    const response = await web('site/sleep?ms=1500');
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ error: 'Response not yet ready.', code: expect.any(String) });
    const id = response.headers.get('x-openwhisk-activation-id') ?? '';
    expect(await ow.activation(id)).toMatchObject({ response: { success: true, result: { slept: '1500' } } });
  });
});
