/**
 * Every failed DigitalOcean call becomes one ApiError: one sentence naming the action, the
 * resource, DigitalOcean's status/id/message/request id, and what to do about it.
 */
import { isToolError, ToolError, type ToolErrorOptions } from '../errors.js';
import { TransportAnnotation, TransportError } from './transport-error.js';

export { TransportError } from './transport-error.js';

export interface ApiErrorDetails {
  /** HTTP status; 0 when no response arrived (network failure, timeout, untrusted certificate). */
  status: number;
  /** DigitalOcean's error id, e.g. `unprocessable_entity`. */
  doId?: string;
  /** DigitalOcean's message, or what went wrong on the wire. */
  detail?: string;
  requestId?: string;
  /** What we were doing, e.g. `create droplet`. */
  operation?: string;
  /** Which resource, e.g. `base2-staging-1`. */
  resource?: string;
  /** The server may have acted: a non-idempotent request failed without a definite answer. */
  ambiguous: boolean;
  attempts?: number;
  /** Why no response arrived, when none did. */
  reason?: TransportError['reason'];
}

export class ApiError extends ToolError {
  readonly kind = 'api';
  readonly exitCode = 1;
  readonly statusCode = 502;
  readonly status: number;
  readonly doId: string | undefined;
  readonly requestId: string | undefined;
  readonly operation: string | undefined;
  readonly resource: string | undefined;
  readonly ambiguous: boolean;
  readonly attempts: number | undefined;
  /** Why no response arrived, when none did. */
  readonly reason: TransportError['reason'] | undefined;

  constructor(details: ApiErrorDetails, options: ToolErrorOptions = {}) {
    super(sentence(details), { ...options, hint: options.hint ?? defaultHint(details) });
    this.status = details.status;
    this.doId = details.doId;
    this.requestId = details.requestId;
    this.operation = details.operation;
    this.resource = details.resource;
    this.ambiguous = details.ambiguous;
    this.attempts = details.attempts;
    this.reason = details.reason;
  }

  override toJSON(): Record<string, unknown> {
    return {
      ...super.toJSON(),
      status: this.status,
      ...(this.doId ? { doId: this.doId } : {}),
      ...(this.requestId ? { requestId: this.requestId } : {}),
      ...(this.operation ? { operation: this.operation } : {}),
      ...(this.resource ? { resource: this.resource } : {}),
      ambiguous: this.ambiguous,
    };
  }
}

export interface ApiErrorContext {
  /** What we were doing, as a verb phrase: `create droplet`, `list droplets`. */
  action: string;
  resource?: string;
  /** Replaces the default advice, e.g. "Check the region in deployment.yml." */
  hint?: string;
}

function subject(details: ApiErrorDetails): string {
  return [details.operation, details.resource].filter(Boolean).join(' ') || 'complete the request';
}

function sentence(details: ApiErrorDetails): string {
  const what = subject(details);
  const retries = details.attempts && details.attempts > 1 ? `, after ${details.attempts} attempts` : '';
  if (details.reason === 'rate-limit') return `Did not ask DigitalOcean to ${what}: ${details.detail}.`;
  if (details.reason === 'response') {
    return `Did not believe the API's answer when asked to ${what}: ${details.detail ?? 'it is not one DigitalOcean sends'}.`;
  }
  if (details.reason === 'timeout' && !details.ambiguous) {
    return `Gave up waiting for DigitalOcean to ${what}: ${details.detail ?? 'no answer in time'}${retries}.`;
  }
  if (details.status === 0) {
    const opening = details.ambiguous
      ? `Lost the connection to DigitalOcean while trying to ${what}`
      : `Could not reach DigitalOcean to ${what}`;
    return `${opening}: ${details.detail ?? 'no response'}${retries}.`;
  }
  const code = [String(details.status), details.doId].filter(Boolean).join(' ');
  const message = details.detail ? ` — ${details.detail}` : '';
  const request = details.requestId ? ` (request ${details.requestId})` : '';
  const verb = details.ambiguous
    ? 'gave no clear answer when asked to'
    : details.status >= 500
      ? 'failed to'
      : 'refused to';
  return `DigitalOcean ${verb} ${what}: ${code}${message}${request}${retries}.`;
}

function defaultHint(details: ApiErrorDetails): string | undefined {
  if (details.reason === 'response') {
    return `Check DIGITALOCEAN_API_URL: it must be DigitalOcean's API (https://api.digitalocean.com) or the emulator's URL${details.ambiguous ? '; the request may have been acted on, so run the operation again, which looks before it creates' : ''}.`;
  }
  if (details.ambiguous) {
    return 'It may have happened anyway; run the operation again, which looks for the resource before creating it.';
  }
  if (details.reason === 'tls') {
    return "The server's certificate is not trusted; for a local emulator set DIGITALOCEAN_CA_FILE (or NODE_EXTRA_CA_CERTS) to its CA.";
  }
  if (details.reason === 'timeout') {
    return 'The server took the connection but did not answer in time: check the network and DIGITALOCEAN_API_URL, then run it again (with a longer --timeout if the API is only slow).';
  }
  if (details.status === 0) return 'Check the network and DIGITALOCEAN_API_URL, then try again.';
  if (details.status === 401) return 'Check DIGITALOCEAN_TOKEN: it is missing, mistyped, expired or revoked.';
  if (details.status === 403) {
    return "Check the token's scopes: it needs read and write access to the resources this tool manages.";
  }
  if (details.status === 429) {
    return 'The API rate limit is used up; wait a minute and try again, or run fewer operations at once.';
  }
  if (details.status >= 500) return 'DigitalOcean had a server problem; try again in a few minutes.';
  return undefined;
}

const secretPatterns: readonly RegExp[] = [
  /\bdo[a-z]_v1_[A-Za-z0-9]+/g,
  /\bBearer\s+\S+/gi,
  /\bBasic\s+\S+/gi,
];

/** DigitalOcean's text, made safe for one line: no tokens (a server may echo them), no newlines. */
export function cleanDetail(text: string): string {
  let clean = text.replace(/\s+/g, ' ').trim();
  for (const pattern of secretPatterns) clean = clean.replace(pattern, '[redacted]');
  if (clean.length > 300) clean = `${clean.slice(0, 299)}…`;
  return clean.replace(/[.\s]+$/, '');
}

/** The shape dots (Kiota) throws: a plain object, camelCase, headers split on commas. */
interface DotsErrorLike {
  responseStatusCode: number;
  responseHeaders?: Record<string, string[] | string | undefined>;
  id?: unknown;
  messageEscaped?: unknown;
  message?: unknown;
  requestId?: unknown;
  request_id?: unknown;
}

export function isDotsError(raw: unknown): raw is DotsErrorLike {
  return (
    typeof raw === 'object' && raw !== null && typeof (raw as DotsErrorLike).responseStatusCode === 'number'
  );
}

function header(headers: DotsErrorLike['responseHeaders'], name: string): string | undefined {
  const value = headers?.[name];
  return (Array.isArray(value) ? value.join(',') : value)?.trim() || undefined;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() ? value : undefined;
}

function fromDots(raw: DotsErrorLike): Omit<ApiErrorDetails, 'operation' | 'resource'> {
  const headers = raw.responseHeaders;
  const detail = text(raw.messageEscaped) ?? text(raw.message);
  const attempts = Number(header(headers, TransportAnnotation.attempts));
  return {
    status: raw.responseStatusCode,
    doId: text(raw.id),
    detail: detail ? cleanDetail(detail) : undefined,
    requestId: text(raw.requestId) ?? text(raw.request_id) ?? header(headers, 'x-request-id'),
    ambiguous: header(headers, TransportAnnotation.ambiguous) === 'true',
    attempts: Number.isFinite(attempts) && attempts > 0 ? attempts : undefined,
  };
}

function fromTransport(raw: TransportError): Omit<ApiErrorDetails, 'operation' | 'resource'> {
  return {
    // Held back by our budget: reported as the 429 DigitalOcean would have answered.
    status: raw.reason === 'rate-limit' ? 429 : 0,
    detail: cleanDetail(raw.message),
    ambiguous: raw.ambiguous,
    attempts: raw.attempts,
    reason: raw.reason,
  };
}

/** Maps whatever a DigitalOcean call threw (dots error object, transport failure, …) to an ApiError. */
export function toApiError(raw: unknown, context: ApiErrorContext): ApiError {
  if (raw instanceof ApiError) return raw;
  const where = { operation: context.action, resource: context.resource };
  const options = context.hint ? { hint: context.hint } : {};
  // Only the transport's own errors are kept as the cause: a dots error object carries the
  // server's raw text, which may echo the token, and loggers print causes.
  if (raw instanceof TransportError)
    return new ApiError({ ...fromTransport(raw), ...where }, { ...options, cause: raw });
  if (isDotsError(raw)) return new ApiError({ ...fromDots(raw), ...where }, options);
  const detail = raw instanceof Error ? cleanDetail(raw.message) : 'unexpected failure';
  return new ApiError({ status: 0, detail, ambiguous: false, ...where }, options);
}

/** Keeps our own errors (e.g. the https-only ConfigError) as they are; maps the rest with toApiError. */
export function toToolError(raw: unknown, context: ApiErrorContext): ToolError {
  return isToolError(raw) ? raw : toApiError(raw, context);
}

/** True for a 404 from DigitalOcean, whether still raw from dots or already mapped. */
export function isNotFound(error: unknown): boolean {
  if (error instanceof ApiError) return error.status === 404;
  return isDotsError(error) && error.responseStatusCode === 404;
}
