/**
 * Turns a web action's result into the HTTP response, as OpenWhisk's transcoders do for the
 * extension in the URL: `.http` (the default; `{ statusCode, headers, body }`), `.json`, `.html`,
 * `.text` and `.svg`.
 */
import type { EmuResponse } from '../core/types.js';
import { OW_MESSAGES, OwError } from './errors.js';
import { isJsonFamily } from './web-event.js';

export const WEB_EXTENSIONS = ['.http', '.json', '.html', '.svg', '.text'] as const;
export type WebExtension = (typeof WEB_EXTENSIONS)[number];

/** `hello.json` → `hello` + `.json`; a name without a known extension answers as `.http`. */
export function splitExtension(segment: string): { name: string; extension: WebExtension } {
  const extension = WEB_EXTENSIONS.find((ext) => segment.endsWith(ext) && segment.length > ext.length);
  return extension
    ? { name: segment.slice(0, -extension.length), extension }
    : { name: segment, extension: '.http' };
}

export function transcode(result: unknown, extension: WebExtension): EmuResponse {
  switch (extension) {
    case '.json':
      if (typeof result === 'object' && result !== null) return { status: 200, body: result };
      throw new OwError(400, "Response is not valid 'application/json'.");
    case '.html':
      return textField(result, ['body', 'html'], 'text/html; charset=UTF-8', 'text/html');
    case '.svg':
      return textField(result, ['body', 'svg'], 'image/svg+xml', 'image/svg+xml');
    case '.text':
      return asText(result);
    default:
      return asHttp(result);
  }
}

function textField(result: unknown, fields: string[], contentType: string, media: string): EmuResponse {
  const record = isRecord(result) ? result : undefined;
  const value = record ? fields.map((f) => record[f]).find((v) => v !== undefined) : result;
  if (typeof value !== 'string') throw new OwError(400, `Response is not valid '${media}'.`);
  return { status: 200, text: value, contentType };
}

function asText(result: unknown): EmuResponse {
  const value = isRecord(result) ? (result.body ?? result.text) : result;
  if (value === undefined) throw new OwError(404, OW_MESSAGES.propertyNotFound);
  const text = typeof value === 'object' && value !== null ? JSON.stringify(value, null, 2) : String(value);
  return { status: 200, text, contentType: 'text/plain; charset=UTF-8' };
}

function asHttp(result: unknown): EmuResponse {
  const invalid = () => new OwError(400, "Response is not valid 'message/http'.");
  if (!isRecord(result)) throw invalid();
  const headers = responseHeaders(result.headers, invalid);
  const status = statusCode(result.statusCode, invalid);
  const contentType = headers['content-type'];
  delete headers['content-type'];
  const body = result.body;
  if (body === undefined || body === null || body === '') return { status: status ?? 204, headers };
  if (typeof body !== 'string') {
    if (contentType !== undefined && !isJsonFamily(mediaTypeOf(contentType))) {
      throw new OwError(400, 'Response type in header did not match generated content type.');
    }
    return contentType === undefined || mediaTypeOf(contentType) === 'application/json'
      ? { status: status ?? 200, body, headers }
      : { status: status ?? 200, text: JSON.stringify(body, null, 2), contentType, headers };
  }
  const type = contentType ?? 'text/html';
  if (isBinaryMedia(mediaTypeOf(type))) {
    return {
      status: status ?? 200,
      text: binaryText(Buffer.from(body, 'base64')),
      contentType: type,
      headers,
    };
  }
  return { status: status ?? 200, text: body, contentType: withCharset(type), headers };
}

function responseHeaders(raw: unknown, invalid: () => OwError): Record<string, string> {
  if (raw === undefined) return {};
  if (!isRecord(raw)) throw invalid();
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    const values = Array.isArray(value) ? value : [value];
    if (!values.every((v) => ['string', 'number', 'boolean'].includes(typeof v))) throw invalid();
    headers[name.toLowerCase()] = values.map(String).join(', ');
  }
  return headers;
}

function statusCode(raw: unknown, invalid: () => OwError): number | undefined {
  if (raw === undefined) return undefined;
  const code = typeof raw === 'string' ? Number(raw) : raw;
  if (typeof code !== 'number' || !Number.isInteger(code) || code < 100 || code > 599) throw invalid();
  return code;
}

function mediaTypeOf(contentType: string): string {
  return contentType.split(';')[0]!.trim().toLowerCase();
}

function isBinaryMedia(media: string): boolean {
  return !(
    media.startsWith('text/') ||
    isJsonFamily(media) ||
    /xml|javascript|x-www-form-urlencoded/.test(media)
  );
}

function withCharset(contentType: string): string {
  return /charset=/i.test(contentType) ? contentType : `${contentType}; charset=UTF-8`;
}

/**
 * The core's response type carries text, not bytes, but its server writes `text` with
 * `res.end()`, which sends a Buffer as is: binary bodies travel through it unchanged. (The core
 * would need a `bytes` field on EmuResponse to type this honestly.)
 */
function binaryText(bytes: Buffer): string {
  return bytes as unknown as string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
