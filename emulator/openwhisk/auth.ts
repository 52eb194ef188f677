import type { IncomingHttpHeaders } from 'node:http';
import type { EmuRequest } from '../core/types.js';
import { OW_MESSAGES, OwError } from './errors.js';
import type { FunctionsState, NamespaceRecord } from './state.js';

/** The `uuid:key` pair of HTTP Basic auth, or undefined when the header is absent or not Basic. */
export function basicCredentials(headers: IncomingHttpHeaders): { user: string; pass: string } | undefined {
  const match = /^Basic\s+(\S+)$/i.exec(headers.authorization ?? '');
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { user: decoded.slice(0, colon), pass: decoded.slice(colon + 1) };
}

/** The namespace whose credentials the request carries, if they are valid. */
export function credentialsNamespace(
  state: FunctionsState,
  headers: IncomingHttpHeaders,
): NamespaceRecord | undefined {
  const creds = basicCredentials(headers);
  if (!creds) return undefined;
  const ns = state.byUuid(creds.user);
  return ns && ns.key === creds.pass ? ns : undefined;
}

/** Authenticates an OpenWhisk API request with the namespace's `uuid:key` (401 otherwise). */
export function authenticate(state: FunctionsState, req: EmuRequest): NamespaceRecord {
  if (!req.headers.authorization) throw new OwError(401, OW_MESSAGES.authMissing);
  const ns = credentialsNamespace(state, req.headers);
  if (!ns) throw new OwError(401, OW_MESSAGES.authInvalid);
  return ns;
}

/**
 * Authenticates and checks the namespace in the path: `_` means the caller's own; any other
 * namespace is not the caller's to touch (403, as OpenWhisk's entitlement check answers).
 */
export function authorizedNamespace(state: FunctionsState, req: EmuRequest): NamespaceRecord {
  const ns = authenticate(state, req);
  const requested = req.params.ns;
  if (requested !== undefined && requested !== '_' && requested !== ns.name) {
    throw new OwError(403, OW_MESSAGES.notAuthorized);
  }
  return ns;
}
