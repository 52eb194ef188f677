/**
 * The OpenWhisk JavaScript client (the `openwhisk` npm package, pinned, unmodified) against a
 * Functions namespace of the emulator: what any OpenWhisk tool written for DigitalOcean Functions
 * does with `api_host` and `uuid:key`. It trusts the emulator's CA through its `agent` option.
 */
import { Agent } from 'node:https';
import openwhisk from 'openwhisk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountModule } from '../../emulator/resources/account.js';
import { functionsModule } from '../../emulator/resources/functions/index.js';
import { startTestEmulator, type TestEmulator } from '../support/emulator.js';
import { createNamespace, fixture, type TestNamespace } from './fixtures/functions/client.js';

/** 30 s of platform time is 1.5 s here: long enough for a warm answer, short enough to outlive. */
const TIME_SCALE = 20;
const WEB_SECRET = 'a-web-secret-of-thirty-two-characters!';

let t: TestEmulator;
let ns: TestNamespace;
let ow: ReturnType<typeof openwhisk>;

beforeAll(async () => {
  t = await startTestEmulator({ modules: [accountModule, functionsModule], timeScale: TIME_SCALE });
  ns = await createNamespace(t, 'openwhisk-client');
  ow = openwhisk({
    apihost: ns.apiHost,
    api_key: `${ns.uuid}:${ns.key}`,
    agent: new Agent({ ca: t.emu.caPem }),
  });
}, 60_000);

afterAll(async () => {
  await t?.stop();
});

/** What the client throws for an error answer: its message and the platform's status. */
async function failure(work: Promise<unknown>): Promise<{ statusCode?: number; message: string }> {
  try {
    await work;
  } catch (error) {
    return error as { statusCode?: number; message: string };
  }
  throw new Error('expected the call to fail');
}

describe('the openwhisk client against a Functions namespace', () => {
  it('lists the namespace its key belongs to', async () => {
    expect(await ow.namespaces.list()).toEqual([ns.id]);
  });

  it('creates, lists, gets, updates and deletes packages and actions', async () => {
    await ow.packages.create({ name: 'tools', package: { parameters: [{ key: 'greeting', value: 'hi' }] } });
    expect((await ow.packages.list()).map((p) => p.name)).toContain('tools');
    expect(await ow.packages.list({ count: true })).toEqual({ packages: 1 });
    const action = await ow.actions.create({
      name: 'tools/hello',
      action: fixture('hello.js'),
      kind: 'nodejs:22',
      limits: { timeout: 10_000 },
    });
    expect(action).toMatchObject({ name: 'hello', namespace: `${ns.id}/tools`, exec: { kind: 'nodejs:22' } });
    const conflict = await failure(
      ow.actions.create({ name: 'tools/hello', action: fixture('hello.js'), kind: 'nodejs:22' }),
    );
    expect(conflict).toMatchObject({
      statusCode: 409,
      message: expect.stringContaining('resource already exists'),
    });
    const updated = await ow.actions.update({
      name: 'tools/hello',
      action: fixture('hello.js'),
      kind: 'nodejs:22',
      params: { name: 'default' },
    });
    expect(updated.version).toBe('0.0.2');
    expect((await ow.actions.list()).map((a) => `${a.namespace}/${a.name}`)).toContain(
      `${ns.id}/tools/hello`,
    );
    expect(await ow.actions.list({ count: true })).toEqual({ actions: 1 });
    // The client sends `code` as `?code=false`; its type declarations leave the option out.
    const read = await ow.actions.get(Object.assign({ name: 'tools/hello' }, { code: false }));
    expect(read.exec).toEqual({ kind: 'nodejs:22', binary: false });
    expect((await ow.packages.get({ name: 'tools' })).actions?.map((a) => a.name)).toEqual(['hello']);

    const missing = await failure(ow.actions.get({ name: 'tools/nope' }));
    expect(missing).toMatchObject({
      statusCode: 404,
      message: expect.stringContaining('The requested resource does not exist.'),
    });
    const refused = await failure(ow.actions.create({ name: 'old', action: 'x', kind: 'nodejs:10' }));
    expect(refused).toMatchObject({ statusCode: 400, message: expect.stringContaining("'nodejs:10'") });
  });

  it('invokes blocking for the result, and without blocking for an activation to read later', async () => {
    expect(
      await ow.actions.invoke({
        name: 'tools/hello',
        params: { name: 'sammy' },
        blocking: true,
        result: true,
      }),
    ).toEqual({ greeting: 'Hello sammy!' });
    const whole = await ow.actions.invoke({ name: 'tools/hello', blocking: true });
    expect(whole.response).toMatchObject({
      status: 'success',
      success: true,
      result: { greeting: 'Hello default!' },
    });

    const started = await ow.actions.invoke({ name: 'tools/hello', params: { name: 'later' } });
    expect(started).toEqual({ activationId: expect.stringMatching(/^[0-9a-f]{32}$/) });
    const activation = await eventually(() => ow.activations.get({ name: started.activationId }));
    expect(activation.response).toMatchObject({ success: true, result: { greeting: 'Hello later!' } });
    expect(await ow.activations.result({ name: started.activationId })).toMatchObject({
      result: { greeting: 'Hello later!' },
    });
    expect((await ow.activations.logs({ name: started.activationId })).logs.join('\n')).toContain(
      'greeting later',
    );
    const listed = await ow.activations.list({ name: 'tools/hello', limit: 10 });
    expect(listed.map((a) => a.activationId)).toContain(started.activationId);
  });

  it('gets the activation id when a blocking call outlives the synchronous limit, and the action runs on', async () => {
    await ow.actions.create({
      name: 'tools/sleep',
      action: fixture('sleep.js'),
      kind: 'nodejs:22',
      limits: { timeout: 120_000 },
    });
    // 2.5 s of real time is 50 s of platform time: past the 30 s a blocking call waits.
    const answer = await ow.actions.invoke({ name: 'tools/sleep', params: { ms: 2_500 }, blocking: true });
    expect(answer).toEqual({ activationId: expect.stringMatching(/^[0-9a-f]{32}$/) });
    const done = await eventually(() => ow.activations.get({ name: answer.activationId }), 10_000);
    expect(done.response).toMatchObject({ success: true, result: { slept: 2_500 } });
  });

  it("refuses parameters over 1 MB and code over 48 MB with 413, and ends a result over 1 MB as the developer's error", async () => {
    await ow.actions.create({
      name: 'tools/big',
      action: "exports.main = ({ n = 0 }) => ({ big: 'x'.repeat(n) });",
      kind: 'nodejs:22',
    });
    const tooMuchInput = await failure(
      ow.actions.invoke({ name: 'tools/big', params: { pad: 'x'.repeat(1_100_000) }, blocking: true }),
    );
    expect(tooMuchInput).toMatchObject({
      statusCode: 413,
      message: expect.stringMatching(/Request larger than allowed: \d+ > 1048576 bytes\./),
    });
    const tooMuchOutput = await failure(
      ow.actions.invoke({ name: 'tools/big', params: { n: 1_100_000 }, blocking: true }),
    );
    expect(tooMuchOutput).toMatchObject({
      statusCode: 502,
      message: expect.stringMatching(
        /The action produced a response that exceeded the allowed length: \d+ > 1048576 bytes\./,
      ),
    });
    const tooMuchCode = await failure(
      ow.actions.create({ name: 'huge', action: `//${'x'.repeat(48 * 1024 * 1024)}`, kind: 'nodejs:22' }),
    );
    expect(tooMuchCode).toMatchObject({
      statusCode: 413,
      message: expect.stringMatching(/Exec larger than allowed: \d+ > 50331648 bytes\./),
    });
    await ow.actions.delete({ name: 'tools/big' });
  }, 60_000);

  it('creates a web action whose calls need X-Require-Whisk-Auth, and deletes what it made', async () => {
    await ow.actions.create({
      name: 'tools/echo',
      action: {
        exec: { kind: 'nodejs:22', code: fixture('web-echo.js') },
        annotations: [
          { key: 'web-export', value: true },
          { key: 'require-whisk-auth', value: WEB_SECRET },
        ],
      },
    });
    const url = `${ns.apiHost}/api/v1/web/${ns.id}/tools/echo`;
    expect((await t.fetch(url, { method: 'POST' })).status).toBe(401);
    const answer = await t.fetch(url, { method: 'POST', headers: { 'x-require-whisk-auth': WEB_SECRET } });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('x-echo')).toBe('yes');

    await ow.actions.delete({ name: 'tools/echo' });
    await ow.actions.delete({ name: 'tools/sleep' });
    await ow.actions.delete({ name: 'tools/hello' });
    await ow.packages.delete({ name: 'tools' });
    expect(await ow.actions.list()).toEqual([]);
    expect(await ow.packages.list()).toEqual([]);
  });
});

/** Retries a read that answers 404 until the activation is recorded. */
async function eventually<T>(read: () => Promise<T>, withinMs = 5_000): Promise<T> {
  const until = Date.now() + withinMs;
  for (;;) {
    try {
      return await read();
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode !== 404 || Date.now() > until) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
