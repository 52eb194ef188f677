/** Pure pieces of the transport: classifying failures and reshaping responses. */
import type { TransportFailureReason } from './transport-error.js';

export interface Failure {
  reason: TransportFailureReason;
  /** The connection never opened, so the server cannot have seen the request. */
  unsent: boolean;
  text: string;
  code?: string;
}

const unsentCodes = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/** OpenSSL's verification codes (UNABLE_TO_VERIFY_LEAF_SIGNATURE, CERT_HAS_EXPIRED, …) and Node's. */
function isTlsCode(code: string): boolean {
  return /^ERR_(TLS|SSL)_|CERT|VERIFY|SELF_SIGNED/.test(code);
}

/** undici wraps the real failure: `TypeError: fetch failed` → cause → (cause …). */
function innermost(error: unknown): { message: string; code?: string } {
  let current: unknown = error;
  let found: { message: string; code?: string } = { message: String(error) };
  for (let depth = 0; depth < 5 && current; depth += 1) {
    if (current instanceof Error) {
      const code = (current as Error & { code?: unknown }).code;
      found = {
        message: current.message,
        ...(typeof code === 'string' ? { code } : found.code ? { code: found.code } : {}),
      };
    }
    current = current instanceof Error ? current.cause : undefined;
  }
  return found;
}

export function describeFailure(error: unknown): Failure {
  const { message, code } = innermost(error);
  const text = code && !message.includes(code) ? `${message} (${code})` : message;
  if (code && isTlsCode(code)) return { reason: 'tls', unsent: true, text, code };
  return {
    reason: 'network',
    unsent: code !== undefined && unsentCodes.has(code),
    text,
    ...(code ? { code } : {}),
  };
}

const nullBodyStatuses = new Set([101, 103, 204, 205, 304]);
const droppedHeaders = new Set(['content-encoding', 'content-length', 'transfer-encoding']);

/**
 * A fully read response as a standard Response with mutable headers. undici has already decoded
 * the body, so the encoding and length headers no longer describe it.
 */
export function rebuildResponse(
  original: { status: number; statusText: string; headers: Iterable<[string, string]> },
  body: ArrayBuffer,
  replaceHeaders?: Headers,
): Response {
  const headers = replaceHeaders ?? new Headers();
  if (!replaceHeaders) {
    for (const [name, value] of original.headers) if (!droppedHeaders.has(name)) headers.append(name, value);
  }
  const content = nullBodyStatuses.has(original.status) ? null : body;
  return new Response(content, { status: original.status, statusText: original.statusText, headers });
}

function errorId(status: number, statusText: string): string {
  const slug = statusText
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_|_$/g, '');
  return slug || `http_${status}`;
}

/** The error body as DigitalOcean would have sent it, or undefined when it already is JSON. */
export function jsonErrorBody(
  status: number,
  statusText: string,
  headers: Iterable<[string, string]>,
  body: ArrayBuffer,
): { body: ArrayBuffer; headers: Headers } | undefined {
  const raw = new TextDecoder().decode(body);
  const kept = new Headers();
  let contentType = '';
  for (const [name, value] of headers) {
    if (name === 'content-type') contentType = value;
    else if (!droppedHeaders.has(name)) kept.append(name, value);
  }
  if (contentType.includes('json')) {
    try {
      JSON.parse(raw);
      return undefined;
    } catch {
      // Falls through: claimed JSON that does not parse is rewritten like any other text.
    }
  }
  const text = raw
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 200);
  const message = text || statusText || `HTTP ${status}`;
  kept.set('content-type', 'application/json');
  const json = JSON.stringify({ id: errorId(status, statusText), message });
  return { body: new TextEncoder().encode(json).buffer as ArrayBuffer, headers: kept };
}
