/**
 * The event a web action receives. OpenWhisk's controller builds the arguments (`__ow_method`,
 * `__ow_headers`, `__ow_path`; query and JSON or form body merged at the top level, or for a raw
 * action `__ow_query` and `__ow_body` instead), and DigitalOcean adds the `http` object its
 * runtimes document: `{ headers, method, path, queryString, body?, isBase64Encoded? }`.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { malformed } from './errors.js';

export interface WebRequestParts {
  method: string;
  headers: IncomingHttpHeaders;
  query: URLSearchParams;
  rawBody: Buffer;
  /** The path after the action's name (`/a/b`), or '' when there is none. */
  path: string;
  raw: boolean;
  requestId: string;
}

export interface WebEvent {
  event: Record<string, unknown>;
  /** The query and body keys that were merged into the event (they may not override fixed parameters). */
  mergedKeys: string[];
}

/** Text media types OpenWhisk passes on as text; anything else is binary and goes base64. */
const TEXT_TYPES = /^(text\/|application\/(xml|javascript|x-www-form-urlencoded)|.*\+xml$)/;

export function webEvent(parts: WebRequestParts): WebEvent {
  const headers = flattenHeaders(parts.headers, parts.requestId);
  const mediaType = (headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  const event: Record<string, unknown> = {
    __ow_method: parts.method.toLowerCase(),
    __ow_headers: headers,
    __ow_path: parts.path,
  };
  const http: Record<string, unknown> = {
    headers,
    method: parts.method.toUpperCase(),
    path: parts.path,
    queryString: parts.query.toString(),
  };
  const merged: Record<string, unknown> = {};
  let opaque: { body: unknown; base64: boolean } | undefined;

  if (parts.raw) {
    event.__ow_query = parts.query.toString();
    opaque =
      parts.rawBody.length === 0 ? { body: '', base64: false } : encodeBody(parts.rawBody, mediaType, true);
  } else {
    for (const [key, value] of parts.query) merged[key] = value;
    if (parts.rawBody.length > 0) {
      if (isJsonFamily(mediaType)) {
        const body = parseJson(parts.rawBody);
        if (isPlainObject(body)) Object.assign(merged, body);
        else opaque = { body, base64: false };
      } else if (mediaType === 'application/x-www-form-urlencoded') {
        for (const [key, value] of new URLSearchParams(parts.rawBody.toString('utf8'))) merged[key] = value;
      } else {
        opaque = encodeBody(parts.rawBody, mediaType, false);
      }
    }
  }
  if (opaque) {
    event.__ow_body = opaque.body;
    if (opaque.base64) event.__ow_isBase64Encoded = true;
    http.body = opaque.body;
    http.isBase64Encoded = opaque.base64;
  }
  Object.assign(event, merged, { http });
  return { event, mergedKeys: Object.keys(merged) };
}

export function isJsonFamily(mediaType: string): boolean {
  return mediaType === 'application/json' || mediaType.endsWith('+json');
}

/** Binary bodies go base64; so does JSON for a raw action (OpenWhisk's legacy behaviour). */
function encodeBody(body: Buffer, mediaType: string, raw: boolean): { body: string; base64: boolean } {
  const asBase64 =
    (raw && isJsonFamily(mediaType)) ||
    (mediaType !== '' && !TEXT_TYPES.test(mediaType) && !isJsonFamily(mediaType));
  return asBase64
    ? { body: body.toString('base64'), base64: true }
    : { body: body.toString('utf8'), base64: false };
}

function flattenHeaders(raw: IncomingHttpHeaders, requestId: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  // DigitalOcean's gateway always adds these before the request reaches the function.
  headers['x-forwarded-for'] ??= '127.0.0.1';
  headers['x-forwarded-proto'] ??= 'https';
  headers['x-request-id'] ??= requestId;
  return headers;
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw malformed('the request body is not valid JSON');
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
