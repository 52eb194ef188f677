import { describe, expect, it } from 'vitest';
import { isToolError, type ToolError } from '../../lib/errors.js';
import { isJsonContentType, parseEvent } from '../../lib/web/event.js';
import { rawEvent, webEvent } from './fixtures/events.js';

/** The ToolError `run` throws; fails the test when it throws nothing or something else. */
function refusal(run: () => unknown): ToolError {
  try {
    run();
  } catch (error) {
    if (isToolError(error)) return error;
    throw error;
  }
  throw new Error('expected a refusal, nothing was thrown');
}

describe('parseEvent', () => {
  it('takes params merged by the platform, without http, and lower-cases headers', () => {
    const request = parseEvent(
      webEvent({
        method: 'get',
        params: { environment: 'staging', count: 2 },
        headers: { 'X-Custom': 'Yes' },
      }),
    );
    expect(request.params).toEqual({ environment: 'staging', count: 2 });
    expect(request.method).toBe('GET');
    expect(request.web).toBe(true);
    expect(request.headers['x-custom']).toBe('Yes');
    expect(request.headers['x-require-whisk-auth']).toBeDefined();
    expect(request.body).toBeUndefined();
  });

  it('merges JSON body params the platform did not, without replacing ones it did', () => {
    const request = parseEvent(
      webEvent({
        params: { environment: 'prod' },
        body: JSON.stringify({ environment: 'evil', image_tag: '1.4.2' }),
      }),
    );
    expect(request.params).toEqual({ environment: 'prod', image_tag: '1.4.2' });
  });

  it('decodes a base64 body and reads params from the query string when needed', () => {
    const body = Buffer.from(JSON.stringify({ image_tag: '2.0.0', name: 'body' })).toString('base64');
    const request = parseEvent(webEvent({ body, isBase64Encoded: true, queryString: 'dry_run=true' }));
    expect(request.body).toBe('{"image_tag":"2.0.0","name":"body"}');
    expect(request.params).toEqual({ image_tag: '2.0.0', name: 'body', dry_run: 'true' });
  });

  it('refuses a query parameter given more than once (in any spelling), naming it but not its values', () => {
    const events = [
      webEvent({ queryString: 'dry_run=true&env=staging&dry_run=false' }),
      webEvent({ queryString: 'dry_run=true&dry%5Frun=false' }),
      webEvent({ queryString: 'dry_run=true&dry_run=true' }),
      webEvent({ queryString: '__proto__=a&dry_run=true&dry_run=false' }),
      rawEvent({ query: 'env=staging&dry_run=true&dry_run=false', json: { command: 'x' } }),
    ];
    for (const event of events) {
      const error = refusal(() => parseEvent(event));
      expect(error.message).toBe(
        'The request is invalid: dry_run: is given more than once in the query string.',
      );
      expect(error.statusCode).toBe(400);
    }
  });

  it('refuses a JSON body that gives a key twice, at any depth and in any escaping, naming where', () => {
    const cases: [string, string][] = [
      ['{"dry_run":true,"env":"staging","dry_run":false}', 'dry_run'],
      ['{"env":"staging","dry_run":true,"dry\\u005frun":false}', 'dry_run'],
      [
        '{"env":"staging","spec":{"services":[{"name":"a"},{"name":"b","name":"c"}]}}',
        'spec.services[1].name',
      ],
      ['{"env":"staging","a":{"b":{"x":1,"x":1}}}', 'a.b.x'],
    ];
    for (const [text, path] of cases) {
      for (const event of [webEvent({ body: text }), rawEvent({ text })]) {
        const error = refusal(() => parseEvent(event));
        expect(error.message).toBe(
          `The request is invalid: ${path}: is given more than once in the JSON body.`,
        );
        expect(error.message).not.toMatch(/false|staging|"c"/);
      }
    }
    // The same key in two different objects is not a repeat.
    const fine = parseEvent(rawEvent({ text: '{"a":{"x":1},"b":{"x":2},"list":[{"x":1},{"x":2}]}' }));
    expect(fine.params).toEqual({ a: { x: 1 }, b: { x: 2 }, list: [{ x: 1 }, { x: 2 }] });
  });

  it('refuses `__proto__` given twice like any other name, and leaves prototypes alone', () => {
    const error = refusal(() => parseEvent(webEvent({ queryString: '__proto__=a&__proto__=b' })));
    expect(error.message).toBe(
      'The request is invalid: __proto__: is given more than once in the query string.',
    );
    const request = parseEvent(webEvent({ queryString: '__proto__=a' }));
    expect(Object.getPrototypeOf(request.params)).toBe(Object.prototype);
  });

  it('reads a raw body and query from __ow_* when the http object leaves them out', () => {
    const event = {
      ...rawEvent({ query: 'env=staging&env=production', text: '{"dry_run":true}' }),
      http: { method: 'POST', headers: { 'content-type': 'application/json' }, path: '' },
    };
    expect(refusal(() => parseEvent(event)).message).toContain('env: is given more than once');
    const fine = { ...event, __ow_query: 'env=staging' };
    expect(parseEvent(fine).params).toEqual({ env: 'staging', dry_run: true });
  });

  it('refuses a field given both in the query string and in the body', () => {
    const error = refusal(() =>
      parseEvent(rawEvent({ query: 'dry_run=true', text: '{"env":"staging","dry_run":false}' })),
    );
    expect(error.message).toBe(
      'The request is invalid: dry_run: is given both in the query string and in the JSON body.',
    );
  });

  it('refuses JSON nested deeper than any input of ours, before reading it for repeats', () => {
    const deep = `{"env":${'['.repeat(5_000)}${']'.repeat(5_000)}}`;
    const error = refusal(() => parseEvent(rawEvent({ text: deep })));
    expect(error.message).toMatch(/^The request body nests deeper than \d+ levels\./);
  });

  it('understands raw web events (__ow_* fields), dropping them from params', () => {
    const request = parseEvent(
      rawEvent({ method: 'post', query: 'env=staging', json: { image_tag: '3.1.0' } }),
    );
    expect(request.method).toBe('POST');
    expect(request.web).toBe(true);
    expect(request.params).toEqual({ env: 'staging', image_tag: '3.1.0' });
    expect(request.headers['x-require-whisk-auth']).toBeDefined();
    expect(Object.keys(request.params).some((key) => key.startsWith('__ow_'))).toBe(false);
  });

  it('treats an event without a request as a direct invocation (doctl, triggers)', () => {
    const request = parseEvent({ environment: 'staging' });
    expect(request).toEqual({
      params: { environment: 'staging' },
      method: 'POST',
      headers: {},
      body: undefined,
      path: '',
      web: false,
    });
    expect(parseEvent(undefined).params).toEqual({});
  });

  it('refuses a body that is not a JSON object with a 400 ToolError', () => {
    for (const body of ['{not json', '[1,2]']) {
      try {
        parseEvent(webEvent({ body }));
        expect.unreachable();
      } catch (error) {
        expect(isToolError(error) && error.statusCode).toBe(400);
      }
    }
  });

  it('accepts a body the platform already parsed, and refuses a parsed body that is not an object', () => {
    const parsed = webEvent({ params: { environment: 'prod' } });
    (parsed.http as Record<string, unknown>).body = { environment: 'evil', image_tag: '4.0.0' };
    expect(parseEvent(parsed).params).toEqual({ environment: 'prod', image_tag: '4.0.0' });
    const array = { ...rawEvent({}), __ow_body: [1, 2] };
    expect(() => parseEvent(array)).toThrow('The request body must be a JSON object.');
  });

  it('recognises JSON content types', () => {
    expect(isJsonContentType('application/json; charset=utf-8')).toBe(true);
    expect(isJsonContentType('application/merge-patch+json')).toBe(true);
    expect(isJsonContentType('text/plain')).toBe(false);
    expect(isJsonContentType(undefined)).toBe(false);
  });
});
