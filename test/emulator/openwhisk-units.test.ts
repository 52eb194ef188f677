import { describe, expect, it } from 'vitest';
import { EmuClock } from '../../emulator/core/clock.js';
import { Admission, MAX_CONCURRENT, MAX_PER_MINUTE } from '../../emulator/openwhisk/admission.js';
import { OwError } from '../../emulator/openwhisk/errors.js';
import { webEvent } from '../../emulator/openwhisk/web-event.js';
import { splitExtension, transcode } from '../../emulator/openwhisk/web-response.js';

function owError(fn: () => unknown): OwError {
  try {
    fn();
  } catch (error) {
    if (error instanceof OwError) return error;
    throw error;
  }
  throw new Error('expected an OwError');
}

describe('invocation limits per namespace', () => {
  it('refuses more than 120 activations in flight, and admits again once one ends', () => {
    const admission = new Admission(new EmuClock(1));
    for (let i = 0; i < MAX_CONCURRENT; i++) admission.admit('fn-a');
    const refused = owError(() => admission.admit('fn-a'));
    expect(refused.status).toBe(429);
    expect(refused.message).toBe('Too many concurrent requests in flight (count: 120, allowed: 120).');
    admission.admit('fn-b');
    admission.release('fn-a');
    expect(() => admission.admit('fn-a')).not.toThrow();
  });

  it('refuses more than 600 invocations in a minute of virtual time', () => {
    const clock = new EmuClock(1);
    const admission = new Admission(clock);
    for (let i = 0; i < MAX_PER_MINUTE; i++) {
      admission.admit('fn-a');
      admission.release('fn-a');
    }
    expect(owError(() => admission.admit('fn-a')).message).toMatch(/^Too many requests in the last minute/);
    clock.advance(60_000);
    expect(() => admission.admit('fn-a')).not.toThrow();
  });
});

describe('web action responses', () => {
  it('reads the extension off the action name', () => {
    expect(splitExtension('hello.json')).toEqual({ name: 'hello', extension: '.json' });
    expect(splitExtension('hello')).toEqual({ name: 'hello', extension: '.http' });
    expect(splitExtension('hello.xml')).toEqual({ name: 'hello.xml', extension: '.http' });
  });

  it('answers an object body as JSON and an absent body as 204', () => {
    expect(transcode({ body: { ok: true } }, '.http')).toMatchObject({ status: 200, body: { ok: true } });
    expect(transcode({ statusCode: 302, headers: { Location: '/next' } }, '.http')).toEqual({
      status: 302,
      headers: { location: '/next' },
    });
    expect(transcode({ body: 'hi' }, '.http')).toMatchObject({
      status: 200,
      text: 'hi',
      contentType: 'text/html; charset=UTF-8',
    });
  });

  it('rejects a result that is not an HTTP response as OpenWhisk does', () => {
    expect(owError(() => transcode('text', '.http')).message).toBe("Response is not valid 'message/http'.");
    expect(owError(() => transcode({ statusCode: 99 }, '.http')).status).toBe(400);
    expect(
      owError(() => transcode({ headers: { 'content-type': 'text/plain' }, body: { a: 1 } }, '.http'))
        .message,
    ).toBe('Response type in header did not match generated content type.');
  });

  it('decodes a base64 body of a binary content type', () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47]);
    const response = transcode(
      { headers: { 'Content-Type': 'image/png' }, body: png.toString('base64') },
      '.http',
    );
    expect(Buffer.from(response.text as unknown as Uint8Array)).toEqual(png);
  });
});

describe('web action events', () => {
  const parts = {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', host: 'example' },
    query: new URLSearchParams('q=1'),
    rawBody: Buffer.from('name=Sammy&q=2'),
    path: '',
    raw: false,
    requestId: 'req-1',
  };

  it('merges form fields over query parameters', () => {
    const { event, mergedKeys } = webEvent(parts);
    expect(event).toMatchObject({
      q: '2',
      name: 'Sammy',
      __ow_method: 'post',
      http: { method: 'POST', path: '' },
    });
    expect(mergedKeys.sort()).toEqual(['name', 'q']);
  });

  it('passes binary bodies base64-encoded', () => {
    const { event } = webEvent({
      ...parts,
      headers: { 'content-type': 'application/octet-stream' },
      rawBody: Buffer.from([0, 1, 2]),
    });
    expect(event).toMatchObject({ __ow_body: 'AAEC', http: { body: 'AAEC', isBase64Encoded: true } });
  });
});
