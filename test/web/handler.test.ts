import { describe, expect, it, vi } from 'vitest';
import {
  AuthError,
  ConflictError,
  type ErrorKind,
  InputError,
  OperationError,
  TimeoutError,
  ToolError,
} from '../../lib/errors.js';
import { createLogger } from '../../lib/log/logger.js';
import { Redactor } from '../../lib/log/redact.js';
import { createWebHandler, type RunContext, type WebHandlerOptions } from '../../lib/web/handler.js';
import { ManualClock } from '../log/manual-clock.js';
import { functionContext, rawEvent, WEB_SECRET, webEvent } from './fixtures/events.js';

const TOKEN = 'dop_v1_feedfacecafebeef0123456789abcdef0123456789abcdef0123456789ab';

/** Stands in for lib/do's API error: a ToolError whose status is 502. */
class UpstreamError extends ToolError {
  readonly kind: ErrorKind = 'api';
  readonly exitCode = 1;
  readonly statusCode = 502;
}

function setup(overrides: Partial<WebHandlerOptions> = {}) {
  const clock = new ManualClock();
  const lines: string[] = [];
  const redactor = new Redactor();
  const logger = createLogger({ sink: (line) => lines.push(line), level: 'debug', redactor, clock });
  const run = vi.fn<WebHandlerOptions['run']>(async (params) => ({ body: { status: 'succeeded', params } }));
  const main = createWebHandler({
    op: 'deploy',
    run,
    secret: () => WEB_SECRET,
    clock,
    logger,
    redactor,
    ...overrides,
  });
  const context = functionContext(() => clock.now());
  return { clock, lines, run, main, context };
}

function contextOf(run: ReturnType<typeof setup>['run']): RunContext {
  const call = run.mock.calls[0];
  if (call === undefined) throw new Error('run was not called');
  return call[1];
}

describe('createWebHandler', () => {
  it('exports a two-parameter main, which is how the runtime knows to pass the context', () => {
    expect(setup().main.length).toBe(2);
  });

  it('refuses a web call without the secret with 401, without running the operation', async () => {
    const { main, run, context } = setup();
    const response = await main(webEvent({ secret: null }), context);
    expect(response.statusCode).toBe(401);
    expect(response.headers['content-type']).toBe('application/json');
    expect(response.body).toMatchObject({ error: { kind: 'auth' } });
    expect(run).not.toHaveBeenCalled();
  });

  it('refuses a wrong secret with 401 and never shows the expected one', async () => {
    const { main, run, context } = setup();
    const response = await main(webEvent({ secret: 'guess-guess-guess' }), context);
    expect(response.statusCode).toBe(401);
    expect(JSON.stringify(response)).not.toContain(WEB_SECRET);
    expect(run).not.toHaveBeenCalled();
  });

  it('checks the secret and the method before it reads the query or the body', async () => {
    const { main, run, context } = setup();
    const repeated = { queryString: 'dry_run=true&dry_run=false', body: '{"env":"a","env":"b"}' };
    const unauthenticated = await main(webEvent({ ...repeated, secret: 'wrong-secret-value' }), context);
    expect(unauthenticated.statusCode).toBe(401);
    const put = await main(webEvent({ ...repeated, method: 'PUT' }), context);
    expect(put.statusCode).toBe(405);
    const authenticated = await main(webEvent(repeated), context);
    expect(authenticated.statusCode).toBe(400);
    expect(run).not.toHaveBeenCalled();
  });

  it('refuses every web call when no secret is configured, unless explicitly allowed', async () => {
    const closed = setup({ secret: () => undefined });
    const refused = await closed.main(webEvent({ secret: null }), closed.context);
    expect(refused.statusCode).toBe(401);
    expect(closed.run).not.toHaveBeenCalled();

    const open = setup({ secret: () => '', allowNoSecret: true });
    expect((await open.main(webEvent({ secret: null }), open.context)).statusCode).toBe(200);
  });

  it('runs the operation with the right secret and answers 200 with its body', async () => {
    const { main, run, context } = setup();
    const response = await main(webEvent({ params: { environment: 'staging' } }), context);
    expect(response).toEqual({
      statusCode: 200,
      headers: { 'content-type': 'application/json' },
      body: { status: 'succeeded', params: { environment: 'staging' } },
    });
    const ctx = contextOf(run);
    expect(ctx.headers['x-forwarded-proto']).toBe('https');
    expect(ctx.deadline.remainingMs()).toBe(28_000);
  });

  it('accepts the secret as a Bearer token and in raw events', async () => {
    const { main, context } = setup();
    const bearer = webEvent({ secret: null, headers: { Authorization: `Bearer ${WEB_SECRET}` } });
    expect((await main(bearer, context)).statusCode).toBe(200);
    const raw = await main(rawEvent({ query: 'environment=prod', json: { image_tag: '1.2.3' } }), context);
    expect(raw.body).toEqual({ status: 'succeeded', params: { environment: 'prod', image_tag: '1.2.3' } });
  });

  it('runs a direct invocation (doctl, triggers) without a web secret, with no web time limit', async () => {
    const { main, run, clock } = setup();
    const response = await main(
      { environment: 'staging' },
      functionContext(() => clock.now(), 600_000),
    );
    expect(response.statusCode).toBe(200);
    expect(contextOf(run).deadline.remainingMs()).toBe(598_000);
  });

  it('never runs an operation that changes things on a GET: 405, Allow: POST', async () => {
    const { main, run, context } = setup({ postOnly: true });
    const refused = await main(webEvent({ method: 'GET', queryString: 'env=staging' }), context);
    expect(refused.statusCode).toBe(405);
    expect(refused.headers.allow).toBe('POST');
    expect(JSON.stringify(refused.body)).toMatch(/deploy changes things, so it runs only on POST/);
    expect(run).not.toHaveBeenCalled();
    expect((await main(webEvent({ method: 'POST', body: '{"env":"staging"}' }), context)).statusCode).toBe(
      200,
    );
    expect(run).toHaveBeenCalledTimes(1);
  });

  it('accepts GET and POST, answers 405 to other methods without running', async () => {
    const { main, run, context } = setup();
    expect((await main(webEvent({ method: 'GET' }), context)).statusCode).toBe(200);
    expect((await main(webEvent({ method: 'post', body: '{}' }), context)).statusCode).toBe(200);
    for (const method of ['PUT', 'DELETE', 'PATCH']) {
      const response = await main(webEvent({ method }), context);
      expect(response.statusCode).toBe(405);
      expect(response.headers.allow).toBe('GET, POST');
    }
    expect(run).toHaveBeenCalledTimes(2);
  });

  it('answers 415 to a body that is not JSON', async () => {
    const { main, run, context } = setup();
    const response = await main(
      webEvent({ body: 'name=x', headers: { 'content-type': 'text/plain' } }),
      context,
    );
    expect(response.statusCode).toBe(415);
    expect(run).not.toHaveBeenCalled();
  });

  it.each([
    [new InputError('The deploy input', [{ path: 'image_tag', message: 'is required' }]), 400],
    [new AuthError('The DigitalOcean token was refused.'), 401],
    [new ConflictError('Another deploy holds base2-staging.', { hint: 'Wait for it.' }), 409],
    [new OperationError('The deployment failed at step build.'), 500],
    [new UpstreamError('DigitalOcean answered 503 (request_id abc).'), 502],
    [new TimeoutError('The droplet did not become active.'), 504],
  ])('maps %s to its status code and toJSON body', async (error, status) => {
    const { main, context } = setup({ run: async () => Promise.reject(error) });
    const response = await main(webEvent(), context);
    expect(response.statusCode).toBe(status);
    expect(response.body).toEqual({ error: error.toJSON() });
  });

  it('answers 500 to an unexpected fault with one sentence: no stack, no secret; the log has details', async () => {
    const { main, context, lines } = setup({
      run: async (_params, ctx) => {
        ctx.secrets.push(TOKEN);
        throw new TypeError(`Cannot read properties of undefined (token ${TOKEN}, secret ${WEB_SECRET})`);
      },
    });
    const response = await main(webEvent(), context);
    expect(response.statusCode).toBe(500);
    expect(response.body).toEqual({
      error: {
        kind: 'internal',
        message: `Internal error in deploy; see the function log (activation ${context.activationId}).`,
      },
    });
    const logged = lines.join('\n');
    expect(logged).toContain('Cannot read properties of undefined');
    expect(logged).toContain('handler.test.ts');
    for (const text of [JSON.stringify(response), logged]) {
      expect(text).not.toContain(TOKEN);
      expect(text).not.toContain(WEB_SECRET);
    }
  });

  it('masks secrets the operation learned, and the web secret, in its result', async () => {
    const { main, context } = setup({
      run: async (_params, ctx) => {
        ctx.secrets.push(TOKEN);
        return { statusCode: 202, body: { echoed: `${TOKEN} / ${WEB_SECRET}`, nested: [{ token: TOKEN }] } };
      },
    });
    const response = await main(webEvent(), context);
    expect(response.statusCode).toBe(202);
    expect(JSON.stringify(response)).not.toContain(TOKEN);
    expect(JSON.stringify(response)).not.toContain(WEB_SECRET);
    expect(response.body).toEqual({ echoed: '[REDACTED] / [REDACTED]', nested: [{ token: '[REDACTED]' }] });
  });

  it('masks a secret in log lines from the moment the operation pushes it', async () => {
    const { main, context, lines } = setup({
      redactor: new Redactor(),
      run: async (_params, ctx) => {
        ctx.secrets.push(TOKEN);
        ctx.logger.info(`calling DigitalOcean with ${TOKEN}`);
        return { body: { ok: true } };
      },
    });
    expect((await main(webEvent(), context)).statusCode).toBe(200);
    expect(lines.some((line) => line.includes('calling DigitalOcean with [REDACTED]'))).toBe(true);
    expect(lines.join('\n')).not.toContain(TOKEN);
    expect(lines.join('\n')).not.toContain(WEB_SECRET);
  });

  it('answers 504 at the deadline when the operation does not return in time', async () => {
    let signal: AbortSignal | undefined;
    const { main, clock, context } = setup({
      run: (_params, ctx) => {
        signal = ctx.deadline.signal;
        return new Promise(() => undefined);
      },
    });
    const pending = main(webEvent(), context);
    await clock.advance(27_999);
    await clock.advance(1);
    const response = await pending;
    expect(response.statusCode).toBe(504);
    expect(response.body).toMatchObject({ error: { kind: 'timeout' } });
    expect(signal?.aborted).toBe(true);
  });

  it('cuts an oversized result below the 1 MB limit and marks it truncated', async () => {
    const { main, context } = setup({
      run: async () => ({ body: { status: 'succeeded', logs: 'x'.repeat(3_000_000), rows: [1, 2, 3] } }),
    });
    const response = await main(webEvent(), context);
    const size = Buffer.byteLength(JSON.stringify(response));
    expect(size).toBeLessThan(1_000_000);
    expect(size).toBeGreaterThan(900_000);
    expect(response.body).toMatchObject({ status: 'succeeded', rows: [1, 2, 3], truncated: true });
    expect((response.body as { logs: string }).logs).toMatch(/… \[\d+ more characters\]$/);
  });
});
