import { randomBytes } from 'node:crypto';
import type { EmuRequest, EmuResponse, Handler } from '../core/types.js';

/**
 * An OpenWhisk API error: `{ error, code }` where `code` is the controller's transaction id,
 * unlike DigitalOcean's `{ id, message, request_id }`. Handlers throw it; `owRoute` answers it.
 */
export class OwError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** Messages of the OpenWhisk controller, word for word. */
export const OW_MESSAGES = {
  authInvalid: 'The supplied authentication is invalid',
  authMissing: 'The resource requires authentication, which was not supplied with the request',
  notAuthorized: 'The supplied authentication is not authorized to access this resource.',
  unauthorized: 'Authentication is possible but has failed or not yet been provided.',
  notFound: 'The requested resource does not exist.',
  exists: 'resource already exists',
  conformance: 'Resource by this name exists but is not in this collection.',
  entityNameIllegal: 'The name of the entity contains illegal characters.',
  activationIdIllegal: 'The activation id is not valid.',
  parametersNotAllowed: 'Request defines parameters that are not allowed (e.g., reserved properties).',
  responseNotReady: 'Response not yet ready.',
  errorProcessing: 'There was an error processing your request.',
  propertyNotFound: 'Response does not include requested property.',
} as const;

/** OpenWhisk transaction ids are 32 alphanumeric characters. */
export function transactionId(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return [...randomBytes(32)].map((b) => alphabet[b % alphabet.length]).join('');
}

export function owErrorResponse(
  status: number,
  message: string,
  headers: Record<string, string> = {},
): EmuResponse {
  return { status, body: { error: message, code: transactionId() }, headers };
}

/** Wraps a handler so OwError answers in OpenWhisk's shape instead of DigitalOcean's. */
export function owRoute(handler: Handler): Handler {
  return async (req: EmuRequest) => {
    try {
      return await handler(req);
    } catch (error) {
      if (error instanceof OwError) return owErrorResponse(error.status, error.message, error.headers);
      throw error;
    }
  };
}

export const malformed = (detail: string) =>
  new OwError(400, `The request content was malformed:\n${detail}`);
export const owNotFound = () => new OwError(404, OW_MESSAGES.notFound);
