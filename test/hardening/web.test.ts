/**
 * The web functions (lib/web/operation.ts around the real operations), driven in-process with events
 * shaped like DigitalOcean's: missing, wrong and timing-probe secrets, method and content-type abuse,
 * oversized and malformed payloads. Every refusal is a 4xx with one sentence, runs nothing and makes
 * no API call; the secret comparison goes through crypto.timingSafeEqual on equal-length digests.
 */
import { timingSafeEqual } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { operations } from '../../lib/ops/index.js';
import type { AnyOperation } from '../../lib/ops/types.js';
import type { WebResponse } from '../../lib/web/handler.js';
import { operationFunction } from '../../lib/web/operation.js';
import { ROOT } from '../support/op-context.js';
import { functionContext, rawEvent, webEvent } from '../web/fixtures/events.js';
import { type Harness, startHarness } from './harness.js';
import { Tally } from './tally.js';

vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:crypto')>();
  return { ...actual, timingSafeEqual: vi.fn(actual.timingSafeEqual) };
});

const tally = new Tally(import.meta.filename);
const SECRET = 'hardening-web-secret-5d0c8e2f7a91b3c4e6f8a0b2';
const MEGABYTE = 1_000_000;
let h: Harness;
const logged: string[] = [];

beforeAll(async () => {
  h = await startHarness();
  await h.reset();
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    logged.push(String(chunk));
    return true;
  });
});
beforeEach(async () => {
  vi.mocked(timingSafeEqual).mockClear();
  await h.clearRequests();
});
afterAll(async () => {
  vi.restoreAllMocks();
  await h?.stop();
  tally.publish();
});

function fn(name: string) {
  const operation = (operations as Record<string, AnyOperation>)[name]!;
  return operationFunction(operation, {
    root: ROOT,
    env: { ...h.env(), OPS_WEB_SECRET: SECRET, DEPLOY_ENV: 'staging' },
  });
}

const context = () => functionContext(() => Date.now(), 60_000);

/** A refusal: the status, a JSON error of one sentence, no result, no API call, no secret. */
async function expectRefusal(response: WebResponse, status: number, label: string): Promise<void> {
  await tally.check('web', async () => {
    expect(response.statusCode, label).toBe(status);
    const body = response.body as { error?: { message?: string }; status?: unknown };
    expect(body.error?.message, label).toMatch(/\S/);
    expect(body.error?.message?.length ?? 0, label).toBeLessThan(500);
    expect(body.status, `${label}: no operation ran`).toBeUndefined();
    expect(JSON.stringify(response), label).not.toContain(SECRET);
    expect(await h.requests(), `${label}: API calls`).toEqual([]);
  });
}

describe('the web secret', () => {
  it('the right secret runs the operation (a control: the refusals below are not misconfiguration)', async () => {
    const response = await fn('info')(webEvent({ params: { scope: 'account' }, secret: SECRET }), context());
    expect(response.statusCode).toBe(200);
    expect((response.body as { status: string }).status).toBe('succeeded');
    expect(vi.mocked(timingSafeEqual)).toHaveBeenCalled();
  });

  const probes: [string, Parameters<typeof webEvent>[0]][] = [
    ['no secret', { secret: null }],
    ['an empty secret', { secret: '' }],
    ['a totally different secret', { secret: 'x'.repeat(SECRET.length) }],
    ['the secret but its last character', { secret: `${SECRET.slice(0, -1)}0` }],
    ['a prefix of the secret', { secret: SECRET.slice(0, 20) }],
    ['the secret plus one character', { secret: `${SECRET}0` }],
    ['the secret with a trailing CRLF injection', { secret: `${SECRET}\r\nX-Injected: 1` }],
    ['the secret in upper case', { secret: SECRET.toUpperCase() }],
    ['a wrong bearer token', { secret: null, headers: { authorization: 'Bearer nope-nope-nope' } }],
    ['the secret with the Basic scheme', { secret: null, headers: { authorization: `Basic ${SECRET}` } }],
    ['the secret as a query parameter', { secret: null, queryString: `secret=${SECRET}` }],
    [
      'the secret as a body field',
      { secret: null, body: JSON.stringify({ 'x-require-whisk-auth': SECRET }) },
    ],
    ['a 1 MB secret', { secret: 's'.repeat(MEGABYTE) }],
    [
      'a wrong secret with repeated parameters (refused before they are read)',
      {
        secret: 'x'.repeat(SECRET.length),
        queryString: 'env=staging&dry_run=true&dry_run=false',
        body: '{"env":"staging","env":"production"}',
      },
    ],
  ];
  for (const name of Object.keys(operations)) {
    it(`${name}: every wrong or missing secret is a 401 that runs nothing`, async () => {
      const main = fn(name);
      for (const [label, probe] of probes)
        await expectRefusal(await main(webEvent(probe), context()), 401, label);
    });
  }

  it('a near miss and a total miss look the same and cost the same comparisons on equal-length digests', async () => {
    const main = fn('deploy');
    const near = await main(webEvent({ secret: `${SECRET.slice(0, -1)}0` }), context());
    const nearCalls = vi.mocked(timingSafeEqual).mock.calls.splice(0);
    const far = await main(webEvent({ secret: 'z' }), context());
    const farCalls = vi.mocked(timingSafeEqual).mock.calls.splice(0);
    await tally.check('web', () => {
      expect(near).toEqual(far);
      expect(nearCalls.length).toBeGreaterThan(0);
      expect(nearCalls.length).toBe(farCalls.length);
      for (const [a, b] of [...nearCalls, ...farCalls]) {
        expect([(a as Buffer).length, (b as Buffer).length]).toEqual([32, 32]);
      }
    });
  });
});

describe('methods, content types and payloads', () => {
  it('methods other than GET and POST are a 405 naming the allowed ones; what changes things runs only on POST', async () => {
    const others = ['PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE', 'CONNECT', 'PROPFIND'];
    const cases: [string, string, string][] = [
      ...others.map((method): [string, string, string] => ['info', method, 'GET, POST']),
      ...['GET', ...others].map((method): [string, string, string] => ['deploy', method, 'POST']),
      ['teardown', 'GET', 'POST'],
      ['exec', 'GET', 'POST'],
    ];
    for (const [op, method, allow] of cases) {
      const response = await fn(op)(webEvent({ method, secret: SECRET }), context());
      expect(response.headers.allow, `${method} ${op}`).toBe(allow);
      await expectRefusal(response, 405, `${method} ${op}`);
    }
  });

  it('a body that is not JSON is a 415', async () => {
    const main = fn('deploy');
    const bodies: [string, string][] = [
      ['text/xml', '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>'],
      ['text/plain', 'env=staging'],
      ['application/x-www-form-urlencoded', 'env=staging&dry_run=true'],
      [
        'multipart/form-data; boundary=x',
        '--x\r\nContent-Disposition: form-data; name="env"\r\n\r\nstaging\r\n--x--',
      ],
      ['application/jsonp', '{"env":"staging"}'],
    ];
    for (const [type, body] of bodies) {
      await expectRefusal(
        await main(webEvent({ secret: SECRET, body, headers: { 'content-type': type } }), context()),
        415,
        type,
      );
    }
  });

  it('oversized and malformed payloads are a 400 naming the field, or the body', async () => {
    const main = fn('deploy');
    const big = 'a'.repeat(1_200_000);
    const cases: [string, Record<string, unknown>][] = [
      ['a 1.2 MB env', webEvent({ secret: SECRET, body: JSON.stringify({ env: big }) })],
      [
        'a 1.2 MB image tag',
        webEvent({ secret: SECRET, body: JSON.stringify({ env: 'staging', image_tag: big }) }),
      ],
      [
        'a 1.2 MB list of flags',
        webEvent({
          secret: SECRET,
          body: JSON.stringify({ env: 'staging', dry_run: Array(200_000).fill(true) }),
        }),
      ],
      ['1.2 MB of broken JSON', webEvent({ secret: SECRET, body: `{"env": "${big}` })],
      [
        'a JSON array 100,000 deep',
        webEvent({ secret: SECRET, body: `${'['.repeat(100_000)}${']'.repeat(100_000)}` }),
      ],
      ['a JSON number', webEvent({ secret: SECRET, body: '42' })],
      ['a raw event with a 1.2 MB base64 body', rawEvent({ secret: SECRET, json: { env: big } })],
      [
        'a prototype-pollution body',
        webEvent({ secret: SECRET, body: '{"__proto__":{"polluted":"yes"},"env":"../x"}' }),
      ],
      [
        'a constructor-pollution body',
        webEvent({ secret: SECRET, body: '{"constructor":{"prototype":{"polluted":"yes"}},"env":"$(id)"}' }),
      ],
    ];
    for (const [label, event] of cases) await expectRefusal(await main(event, context()), 400, label);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('a repeated query parameter or JSON key, or a field in both, is a 400 naming the field and not its values', async () => {
    // Each would run a real teardown if the last value won: the first value asks for a dry run.
    const cases: [string, Record<string, unknown>, string][] = [
      [
        'a repeated query parameter',
        webEvent({ secret: SECRET, queryString: 'env=staging&dry_run=true&dry_run=false' }),
        'dry_run',
      ],
      [
        'a repeated query parameter, percent-encoded',
        webEvent({ secret: SECRET, queryString: 'env=staging&dry_run=true&dry%5frun=false' }),
        'dry_run',
      ],
      [
        'a repeated raw query parameter',
        rawEvent({ secret: SECRET, query: 'env=staging&dry_run=true&dry_run=false' }),
        'dry_run',
      ],
      [
        'a repeated __proto__',
        webEvent({ secret: SECRET, queryString: 'env=staging&__proto__=a&__proto__=b&dry_run=true' }),
        '__proto__',
      ],
      [
        'a repeated env',
        rawEvent({ secret: SECRET, query: 'env=staging&env=production&dry_run=true' }),
        'env',
      ],
      [
        'a duplicate JSON key',
        webEvent({ secret: SECRET, body: '{"env":"staging","dry_run":true,"dry_run":false}' }),
        'dry_run',
      ],
      [
        'a duplicate JSON key in a raw body',
        rawEvent({ secret: SECRET, text: '{"env":"staging","dry_run":true,"dry_run":false}' }),
        'dry_run',
      ],
      [
        'a duplicate JSON key, escaped',
        rawEvent({ secret: SECRET, text: '{"env":"staging","dry_run":true,"\\u0064ry_run":false}' }),
        'dry_run',
      ],
      [
        'a duplicate JSON key, nested',
        rawEvent({ secret: SECRET, text: '{"env":"staging","dry_run":true,"x":[{"y":{"z":1,"z":2}}]}' }),
        'x[0].y.z',
      ],
      [
        'a field in the query and the body',
        rawEvent({ secret: SECRET, query: 'dry_run=true', text: '{"env":"staging","dry_run":false}' }),
        'dry_run',
      ],
    ];
    for (const op of ['teardown', 'deploy', 'exec']) {
      for (const [label, event, field] of cases) {
        const response = await fn(op)(event, context());
        await expectRefusal(response, 400, `${op}: ${label}`);
        await tally.check('web', () => {
          const message = (response.body as { error: { message: string } }).error.message;
          expect(message, label).toContain(`${field}: is given `);
          expect(message, label).not.toMatch(/false|production/);
        });
      }
    }
  });

  it('refusals leave nothing in the function log but the refusal itself, and no secret', async () => {
    const text = logged.join('');
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain('"msg":"audit"');
  });
});
