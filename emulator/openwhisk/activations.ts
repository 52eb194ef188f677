/**
 * The activations collection: list (newest first, `name`/`limit`/`skip`/`docs`/`since`/`upto`),
 * one activation, its logs and its result. An activation exists once it has completed.
 */
import type { EmuCore, EmuRequest } from '../core/types.js';
import { authorizedNamespace } from './auth.js';
import { OW_MESSAGES, OwError, owNotFound, owRoute } from './errors.js';
import { ACTIVATION_STATUS, type ActivationRecord, type FunctionsState } from './state.js';

const DEFAULT_LIMIT = 30;
const MAX_LIMIT = 200;
const ACTIVATION_ID = /^[0-9a-f]{32}$/;

/** `response` as clients see it: status in words and a success flag instead of the code. */
export function activationResponse(a: ActivationRecord): Record<string, unknown> {
  return {
    status: ACTIVATION_STATUS[a.statusCode],
    success: a.statusCode === 0,
    result: a.result,
    size: Buffer.byteLength(JSON.stringify(a.result ?? {}), 'utf8'),
  };
}

export function activationJson(a: ActivationRecord): Record<string, unknown> {
  return {
    namespace: a.namespace,
    name: a.name,
    subject: a.namespace,
    activationId: a.activationId,
    start: Math.floor(a.start),
    end: Math.floor(a.end),
    duration: a.duration,
    response: activationResponse(a),
    logs: a.logs,
    version: a.version,
    publish: false,
    annotations: a.annotations,
    ...(a.cause ? { cause: a.cause } : {}),
  };
}

function activationSummary(a: ActivationRecord): Record<string, unknown> {
  return {
    namespace: a.namespace,
    name: a.name,
    activationId: a.activationId,
    start: Math.floor(a.start),
    end: Math.floor(a.end),
    duration: a.duration,
    statusCode: a.statusCode,
    version: a.version,
    publish: false,
    annotations: a.annotations,
  };
}

export function registerActivations(core: EmuCore, state: FunctionsState): void {
  const base = '/api/v1/namespaces/:ns/activations';
  core.route(
    'GET',
    base,
    owRoute((req) => list(state, req)),
    { auth: 'none' },
  );
  core.route(
    'GET',
    `${base}/:id`,
    owRoute((req) => ({ status: 200, body: activationJson(find(state, req)) })),
    {
      auth: 'none',
    },
  );
  core.route(
    'GET',
    `${base}/:id/logs`,
    owRoute((req) => ({ status: 200, body: { logs: find(state, req).logs } })),
    {
      auth: 'none',
    },
  );
  core.route(
    'GET',
    `${base}/:id/result`,
    owRoute((req) => ({ status: 200, body: activationResponse(find(state, req)) })),
    {
      auth: 'none',
    },
  );
}

function find(state: FunctionsState, req: EmuRequest): ActivationRecord {
  const ns = authorizedNamespace(state, req);
  const id = req.params.id ?? '';
  if (!ACTIVATION_ID.test(id)) throw new OwError(400, OW_MESSAGES.activationIdIllegal);
  const activation = ns.activations.get(id);
  if (!activation) throw owNotFound();
  return activation;
}

function list(state: FunctionsState, req: EmuRequest) {
  const ns = authorizedNamespace(state, req);
  const limit = listNumber(req, 'limit', DEFAULT_LIMIT);
  if (limit > MAX_LIMIT)
    throw new OwError(400, `The value '${limit}' is not in the range of 0 to ${MAX_LIMIT} for activations.`);
  const skip = listNumber(req, 'skip', 0);
  const name = req.query.get('name');
  const since = epochFilter(req, 'since');
  const upto = epochFilter(req, 'upto');
  const docs = req.query.get('docs') === 'true';
  const matching = [...ns.activations.values()]
    .filter((a) => !name || a.qualifiedName === name.replace(/^\/+/, ''))
    .filter((a) => (since === undefined || a.start >= since) && (upto === undefined || a.start <= upto))
    .sort((a, b) => b.start - a.start);
  const page = matching.slice(skip, limit === 0 ? undefined : skip + limit);
  return { status: 200, body: page.map((a) => (docs ? activationJson(a) : activationSummary(a))) };
}

function listNumber(req: EmuRequest, key: 'limit' | 'skip', fallback: number): number {
  const raw = req.query.get(key);
  if (raw === null || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n)) throw new OwError(400, `The value '${raw}' is not an integer for activations.`);
  if (n < 0) {
    throw new OwError(
      400,
      key === 'skip'
        ? `The value '${n}' is not greater than or equal to 0 for activations.`
        : `The value '${n}' is not in the range of 0 to ${MAX_LIMIT} for activations.`,
    );
  }
  return n;
}

function epochFilter(req: EmuRequest, key: 'since' | 'upto'): number | undefined {
  const raw = req.query.get(key);
  if (raw === null || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n)) throw new OwError(400, `Parameter is not a valid value for epoch seconds: ${raw}`);
  return n;
}
