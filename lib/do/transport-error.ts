/**
 * What the transport tells the layers above it. A request that got no HTTP response throws a
 * TransportError; a response it hands back carries two headers of ours, because dots copies
 * response headers (and nothing else) into the error objects it throws.
 */

export const TransportAnnotation = {
  /** How many attempts the request took. */
  attempts: 'x-base2-attempts',
  /** `true` when a non-idempotent request got a 5xx: the server may have acted. */
  ambiguous: 'x-base2-ambiguous',
} as const;

/**
 * `rate-limit`: held back, never sent, because the rate-limit budget is spent for longer than we wait.
 * `response`: an answer came that no DigitalOcean server sends (too large, not JSON, a list longer
 * than its page, pages beyond any account's list; response-guard.ts), or its shape is not the
 * documented one.
 */
export type TransportFailureReason = 'network' | 'timeout' | 'tls' | 'rate-limit' | 'response';

export interface TransportErrorDetails {
  reason: TransportFailureReason;
  method: string;
  /** Path and query only: URLs may carry credentials in their userinfo. */
  path: string;
  attempts: number;
  /** The request may have reached the server and been acted upon. */
  ambiguous: boolean;
  /** Node's or undici's error code, e.g. `ECONNRESET`, `UND_ERR_SOCKET`. */
  code?: string;
}

export class TransportError extends Error {
  readonly reason: TransportFailureReason;
  readonly method: string;
  readonly path: string;
  readonly attempts: number;
  readonly ambiguous: boolean;
  readonly code: string | undefined;

  constructor(description: string, details: TransportErrorDetails, options?: { cause?: unknown }) {
    super(description, options);
    this.name = 'TransportError';
    this.reason = details.reason;
    this.method = details.method;
    this.path = details.path;
    this.attempts = details.attempts;
    this.ambiguous = details.ambiguous;
    this.code = details.code;
  }
}
