/**
 * Translates a DigitalOcean Functions event into a plain request, so operations never see the
 * platform's shape. The platform (Apache OpenWhisk underneath) delivers three shapes:
 * - web function (`web: true`): params from the query string and a JSON or form body merged at the
 *   top level, plus `http: { headers, method, path, queryString?, body?, isBase64Encoded? }`;
 * - raw web function (`web: raw`): nothing merged; the request sits in `__ow_method`,
 *   `__ow_headers`, `__ow_path`, `__ow_query` and `__ow_body` (base64 for JSON and binary bodies);
 * - direct invocation (`doctl serverless functions invoke`, triggers): params only, no request.
 */
import { InputError } from '../errors.js';
import { notAnObject, parseJsonObject } from './json-body.js';
import { parseQuery } from './query.js';
import { shownName } from './shown-name.js';

/** What is known of a request before its query and body are read: enough to authenticate it. */
export type RequestHead = Pick<WebRequest, 'method' | 'headers' | 'web'>;

export interface WebRequest {
  /** Invocation params without the platform's request fields; JSON body params merged in. */
  params: Record<string, unknown>;
  /** Upper-case; `POST` for a direct (non-web) invocation. */
  method: string;
  /** Lower-cased names. */
  headers: Record<string, string>;
  /** The request body as text, when the platform passed it on unparsed. */
  body: string | undefined;
  path: string;
  /** False for a direct invocation: that caller already authenticated with the namespace's key. */
  web: boolean;
}

const OW_PREFIX = '__ow_';

/** The method, headers and kind of call, without reading the query or the body. */
export function requestHead(event: unknown): RequestHead {
  const source = isRecord(event) ? event : {};
  const http = isRecord(source.http) ? source.http : undefined;
  const web = http !== undefined || '__ow_method' in source || '__ow_headers' in source;
  const headers = lowerCaseHeaders(http?.headers ?? source.__ow_headers);
  const method = web ? String(http?.method ?? source.__ow_method ?? 'GET').toUpperCase() : 'POST';
  return { method, headers, web };
}

export function parseEvent(event: unknown): WebRequest {
  const source = isRecord(event) ? event : {};
  const http = isRecord(source.http) ? source.http : undefined;
  const { method, headers, web } = requestHead(event);

  const params: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(source)) {
    if (key === 'http' || key.startsWith(OW_PREFIX)) continue;
    params[key] = value;
  }

  const path = String(http?.path ?? source.__ow_path ?? '');
  // A raw event may carry the request both in `http` and in `__ow_*`: either is taken, so a body
  // or query string given in only one of them is never missed (and never escapes the checks).
  const rawBody = http?.body ?? source.__ow_body;
  const body = decodeBody(
    rawBody,
    http?.body !== undefined ? http.isBase64Encoded : source.__ow_isBase64Encoded,
    headers['content-type'],
  );

  // Raw functions get nothing merged, so a repeated query parameter or JSON key reaches us as
  // written and is refused (project.yml deploys the functions raw for that reason). A `web: true`
  // function may not have merged a body it did not parse. Params the platform already set
  // (including protected ones bound at deploy time) are never replaced.
  const query = http?.queryString ?? source.__ow_query;
  const fromQuery = typeof query === 'string' ? parseQuery(query) : {};
  const fromBody =
    body !== undefined && isJsonContentType(headers['content-type']) ? parseJsonObject(body) : {};
  // The platform hands over a JSON body it parsed but could not merge (an array, a number) as is.
  if (rawBody !== undefined && rawBody !== null && typeof rawBody !== 'string') {
    if (!isRecord(rawBody)) throw notAnObject();
    Object.assign(fromBody, rawBody);
  }
  const both = Object.keys(fromQuery).find((key) => Object.hasOwn(fromBody, key) && !(key in params));
  if (both !== undefined) {
    throw new InputError(
      'The request',
      [{ path: shownName(both), message: 'is given both in the query string and in the JSON body' }],
      { hint: 'Give each field once.' },
    );
  }
  const merged = { ...fromQuery, ...fromBody };
  for (const [key, value] of Object.entries(merged)) {
    if (key === 'http' || key.startsWith(OW_PREFIX) || key in params) continue;
    params[key] = value;
  }
  return { params, method, headers, body, path, web };
}

export function isJsonContentType(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const type = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  return type === 'application/json' || (type.startsWith('application/') && type.endsWith('+json'));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function lowerCaseHeaders(raw: unknown): Record<string, string> {
  const headers: Record<string, string> = {};
  if (!isRecord(raw)) return headers;
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined || value === null) continue;
    headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return headers;
}

/**
 * Raw bodies arrive base64-encoded when the platform thinks them binary, which for OpenWhisk
 * includes JSON; `isBase64Encoded` says so when present, otherwise a JSON body that does not start
 * like a JSON object or array is taken to be base64.
 */
function decodeBody(raw: unknown, base64Flag: unknown, contentType: string | undefined): string | undefined {
  if (typeof raw !== 'string' || raw === '') return undefined;
  if (base64Flag === true) return Buffer.from(raw, 'base64').toString('utf8');
  if (base64Flag === undefined && isJsonContentType(contentType) && !/^\s*[[{]/.test(raw)) {
    return Buffer.from(raw, 'base64').toString('utf8');
  }
  return raw;
}
