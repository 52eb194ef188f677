/**
 * Actions: list (`?count=true` for how many), get (`?code=false` leaves the code out), put (`?overwrite=true` to update an
 * existing one), delete and invoke, in the default package (`/actions/name`) or a package
 * (`/actions/pkg/name`).
 */
import type { EmuCore, EmuRequest, EmuResponse } from '../core/types.js';
import { applyActionPut } from './action-put.js';
import { activationJson } from './activations.js';
import { authorizedNamespace } from './auth.js';
import { actionJson, actionSummary, checkEntityName, qualifiedName } from './entities.js';
import { malformed, OW_MESSAGES, OwError, owNotFound, owRoute } from './errors.js';
import { type Invoker, SYNC_LIMIT_MS } from './invoker.js';
import { checkSize, codeBytes, MAX_CODE_BYTES, MAX_PAYLOAD_BYTES } from './size-limits.js';
import type { ActionRecord, FunctionsState, NamespaceRecord } from './state.js';

const DEFAULT_LIMIT = 30;
const MAX_LIMIT = 200;
/** What each activation status answers a blocking invocation with. */
const BLOCKING_STATUS = [200, 502, 502, 500] as const;

export function registerActions(core: EmuCore, state: FunctionsState, invoker: Invoker): void {
  const base = '/api/v1/namespaces/:ns/actions';
  core.route(
    'GET',
    base,
    owRoute((req) => listActions(state, req)),
    { auth: 'none' },
  );
  for (const pattern of [`${base}/:action`, `${base}/:pkg/:action`]) {
    core.route(
      'GET',
      pattern,
      owRoute((req) => getAction(state, req)),
      { auth: 'none' },
    );
    core.route(
      'PUT',
      pattern,
      owRoute((req) => putAction(state, core, req)),
      { auth: 'none' },
    );
    core.route(
      'DELETE',
      pattern,
      owRoute((req) => deleteAction(state, req)),
      { auth: 'none' },
    );
    core.route(
      'POST',
      pattern,
      owRoute((req) => invokeAction(state, invoker, req)),
      { auth: 'none' },
    );
  }
}

/** The action the path names, with its namespace. */
export function findAction(ns: NamespaceRecord, req: EmuRequest): ActionRecord {
  const action = ns.actions.get(qualifiedName(req.params.pkg, req.params.action ?? ''));
  if (!action) throw owNotFound();
  return action;
}

function listActions(state: FunctionsState, req: EmuRequest): EmuResponse {
  const ns = authorizedNamespace(state, req);
  const limit = Number(req.query.get('limit') ?? DEFAULT_LIMIT);
  const skip = Number(req.query.get('skip') ?? 0);
  if (!Number.isInteger(limit) || limit < 0 || limit > MAX_LIMIT) {
    throw new OwError(
      400,
      `The value '${req.query.get('limit')}' is not in the range of 0 to ${MAX_LIMIT} for actions.`,
    );
  }
  if (!Number.isInteger(skip) || skip < 0) {
    throw new OwError(
      400,
      `The value '${req.query.get('skip')}' is not greater than or equal to 0 for actions.`,
    );
  }
  const all = [...ns.actions.values()].sort((a, b) => b.updated - a.updated);
  // `count=true` answers how many there are past `skip`, as OpenWhisk's controller does.
  if (req.query.get('count') === 'true') return { status: 200, body: { actions: all.slice(skip).length } };
  const page = all.slice(skip, limit === 0 ? undefined : skip + limit);
  return { status: 200, body: page.map((a) => actionSummary(ns, a)) };
}

function getAction(state: FunctionsState, req: EmuRequest): EmuResponse {
  const ns = authorizedNamespace(state, req);
  return { status: 200, body: actionJson(ns, findAction(ns, req), req.query.get('code') !== 'false') };
}

function putAction(state: FunctionsState, core: EmuCore, req: EmuRequest): EmuResponse {
  const ns = authorizedNamespace(state, req);
  const packageName = req.params.pkg === undefined ? undefined : checkEntityName(req.params.pkg);
  const name = checkEntityName(req.params.action ?? '');
  if (packageName !== undefined && !ns.packages.has(packageName)) throw owNotFound();
  if (packageName === undefined && ns.packages.has(name)) throw new OwError(409, OW_MESSAGES.conformance);
  const key = qualifiedName(packageName, name);
  const existing = ns.actions.get(key);
  if (existing && req.query.get('overwrite') !== 'true') throw new OwError(409, OW_MESSAGES.exists);
  const exec = (req.body as { exec?: { code?: unknown; binary?: unknown } } | undefined)?.exec;
  if (typeof exec?.code === 'string') {
    const binary = exec.binary === true || (exec.binary === undefined && exec.code.startsWith('UEsDB'));
    checkSize('Exec', codeBytes(exec.code, binary), MAX_CODE_BYTES);
  }
  const action = applyActionPut(
    req.body,
    { packageName, name, qualifiedName: key, now: core.clock.now() },
    existing,
  );
  ns.actions.set(key, action);
  return { status: 200, body: actionJson(ns, action) };
}

function deleteAction(state: FunctionsState, req: EmuRequest): EmuResponse {
  const ns = authorizedNamespace(state, req);
  const action = findAction(ns, req);
  ns.actions.delete(action.qualifiedName);
  return { status: 200, body: actionJson(ns, action) };
}

async function invokeAction(state: FunctionsState, invoker: Invoker, req: EmuRequest): Promise<EmuResponse> {
  const ns = authorizedNamespace(state, req);
  const action = findAction(ns, req);
  checkSize('Request', req.rawBody.length, MAX_PAYLOAD_BYTES);
  const payload = invocationPayload(req.body);
  invoker.checkFinalParameters(ns, action, Object.keys(payload));
  const wait = blockingWait(req);
  const blocking = req.query.get('blocking') === 'true';
  const invocation = invoker.invoke(ns, action, payload, blocking ? { syncLimitMs: wait } : {});
  const idHeader = { 'x-openwhisk-activation-id': invocation.activationId };
  if (!blocking) {
    return { status: 202, body: { activationId: invocation.activationId }, headers: idHeader };
  }
  const activation = await invoker.waitFor(invocation, wait);
  if (!activation) return { status: 202, body: { activationId: invocation.activationId }, headers: idHeader };
  const body = req.query.get('result') === 'true' ? activation.result : activationJson(activation);
  return { status: BLOCKING_STATUS[activation.statusCode], body, headers: idHeader };
}

function invocationPayload(body: unknown): Record<string, unknown> {
  if (body === undefined || body === null || body === '') return {};
  const parsed = typeof body === 'string' ? parseJson(body) : body;
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw malformed('the invocation payload must be a JSON object');
  }
  return parsed as Record<string, unknown>;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw malformed('the invocation payload is not valid JSON');
  }
}

/** `?timeout=` shortens the blocking wait; it may not exceed the synchronous limit. */
function blockingWait(req: EmuRequest): number {
  const raw = req.query.get('timeout');
  if (raw === null || raw === '') return SYNC_LIMIT_MS;
  const ms = Number(raw);
  if (!Number.isInteger(ms) || ms <= 0 || ms > SYNC_LIMIT_MS) {
    throw new OwError(400, `Timeout must be number of milliseconds up to ${SYNC_LIMIT_MS}.`);
  }
  return ms;
}
