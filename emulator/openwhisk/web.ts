/**
 * Web actions at `/api/v1/web/<namespace>/<package>/<action>[.ext][/path]` (`default` for the
 * default package), any method, no credentials: only actions annotated `web-export: true`;
 * `require-whisk-auth` makes the `X-Require-Whisk-Auth` header (or, when `true`, the namespace's
 * own credentials) mandatory, checked before the action runs. Past the synchronous limit the
 * caller gets 202 "Response not yet ready." with the activation id, and the action runs on.
 */
import type { EmuCore, EmuRequest, EmuResponse } from '../core/types.js';
import { credentialsNamespace } from './auth.js';
import { keyValue, qualifiedName } from './entities.js';
import { OW_MESSAGES, OwError, owErrorResponse, owNotFound, owRoute } from './errors.js';
import { type Invoker, SYNC_LIMIT_MS } from './invoker.js';
import { checkSize, MAX_PAYLOAD_BYTES } from './size-limits.js';
import type { ActionRecord, FunctionsState } from './state.js';
import { webEvent } from './web-event.js';
import { splitExtension, transcode } from './web-response.js';

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];
const RESERVED_PREFIX = '__ow_';
const CORS_HEADERS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'OPTIONS, GET, DELETE, POST, PUT, HEAD, PATCH',
  'access-control-allow-headers': 'Authorization, Origin, X-Requested-With, Content-Type, Accept, User-Agent',
};

export function registerWeb(core: EmuCore, state: FunctionsState, invoker: Invoker): void {
  const handler = owRoute((req) => handleWeb(state, invoker, req));
  for (const method of METHODS) {
    core.route(method, '/api/v1/web/:ns/:pkg/:action', handler, { auth: 'none' });
    core.route(method, '/api/v1/web/:ns/:pkg/:action/*', handler, { auth: 'none' });
  }
}

async function handleWeb(state: FunctionsState, invoker: Invoker, req: EmuRequest): Promise<EmuResponse> {
  const ns = state.namespaces.get(req.params.ns ?? '');
  const { name, extension } = splitExtension(req.params.action ?? '');
  const packageName = req.params.pkg === 'default' ? undefined : req.params.pkg;
  const action = ns?.actions.get(qualifiedName(packageName, name));
  if (!ns || !action || keyValue(action.annotations, 'web-export') !== true) throw owNotFound();

  const customOptions = keyValue(action.annotations, 'web-custom-options') === true;
  const cors: Record<string, string> = customOptions ? {} : CORS_HEADERS;
  if (req.method === 'OPTIONS' && !customOptions) return { status: 200, headers: cors };
  if (req.method !== 'OPTIONS' && !isAllowed(action, req, state)) {
    throw new OwError(401, OW_MESSAGES.unauthorized, cors);
  }

  checkSize('Request', req.rawBody.length, MAX_PAYLOAD_BYTES);
  const raw = keyValue(action.annotations, 'raw-http') === true;
  const rest = req.params['*'];
  const { event, mergedKeys } = webEvent({
    method: req.method,
    headers: req.headers,
    query: req.query,
    rawBody: req.rawBody,
    path: rest ? `/${rest}` : '',
    raw,
    requestId: req.requestId,
  });
  if (!raw) {
    if (mergedKeys.some((key) => key.startsWith(RESERVED_PREFIX)))
      throw new OwError(400, OW_MESSAGES.parametersNotAllowed, cors);
    invoker.checkFinalParameters(ns, action, mergedKeys);
  }

  const invocation = invoker.invoke(ns, action, event, { syncLimitMs: SYNC_LIMIT_MS });
  const headers = { ...cors, 'x-openwhisk-activation-id': invocation.activationId };
  const activation = await invoker.waitFor(invocation);
  if (!activation) return owErrorResponse(202, OW_MESSAGES.responseNotReady, headers);
  if (activation.statusCode > 1) return owErrorResponse(400, OW_MESSAGES.errorProcessing, headers);
  // An application error answers with its `error` value, transcoded like a result.
  const projection =
    activation.statusCode === 0 ? activation.result : (activation.result as { error?: unknown }).error;
  if (projection === undefined) return owErrorResponse(404, OW_MESSAGES.propertyNotFound, headers);
  try {
    const response = transcode(projection, extension);
    return { ...response, headers: { ...headers, ...response.headers } };
  } catch (error) {
    if (error instanceof OwError) return owErrorResponse(error.status, error.message, headers);
    throw error;
  }
}

/** The `require-whisk-auth` check: a secret in X-Require-Whisk-Auth, or `true` for the namespace's key. */
function isAllowed(action: ActionRecord, req: EmuRequest, state: FunctionsState): boolean {
  const required = keyValue(action.annotations, 'require-whisk-auth');
  if (required === undefined || required === false) return true;
  if (required === true) return credentialsNamespace(state, req.headers) !== undefined;
  if (typeof required === 'string' || typeof required === 'number') {
    return req.headers['x-require-whisk-auth'] === String(required);
  }
  return false;
}
