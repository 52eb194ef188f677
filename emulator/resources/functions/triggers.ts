/**
 * Scheduled triggers through the DigitalOcean API: list, create, get, update (`is_enabled`,
 * `scheduled_details`) and delete. A trigger names a function of its namespace and a five-field
 * cron schedule; `scheduled_runs` says when it last ran and when it runs next (null while paused).
 * Scheduled triggers are a private preview: an account without it is refused every triggers route
 * (403 with DigitalOcean's generic message; the exact answer is a guess, see docs/fidelity.md).
 */
import { badRequest, conflict, forbidden, HttpError, unprocessable } from '../../core/http-error.js';
import { paginate } from '../../core/paginate.js';
import type { EmuCore, EmuRequest, Handler } from '../../core/types.js';
import type { FunctionsState, NamespaceRecord, TriggerRecord } from '../../openwhisk/state.js';
import { cronProblem, nextRun } from './cron.js';
import { findNamespace } from './namespaces.js';

/** DigitalOcean's limit on scheduled triggers (per namespace) while they are in preview. */
export const MAX_TRIGGERS = 3;

export const triggerNotFound = () => new HttpError(404, 'not_found', 'trigger not found');

export function triggerJson(core: EmuCore, ns: NamespaceRecord, t: TriggerRecord): Record<string, unknown> {
  const iso = (at: number | undefined) => (at === undefined ? null : core.clock.iso(at));
  return {
    namespace: ns.name,
    name: t.name,
    function: t.function,
    type: t.type,
    is_enabled: t.isEnabled,
    created_at: iso(t.createdAt),
    updated_at: iso(t.updatedAt),
    scheduled_details: { cron: t.cron, body: t.body },
    scheduled_runs: { last_run_at: iso(t.lastRunAt), next_run_at: iso(t.nextRunAt) },
  };
}

/** The action a trigger's `function` names (`pkg/action` or `action`, optionally `/namespace/…`). */
export function triggerActionName(ns: NamespaceRecord, fn: string): string {
  const prefix = `/${ns.name}/`;
  return fn.startsWith(prefix) ? fn.slice(prefix.length) : fn.replace(/^\/+/, '');
}

export function registerTriggers(
  core: EmuCore,
  state: FunctionsState,
  onChange: () => void,
  hasPreview: () => boolean,
): void {
  const base = '/v2/functions/namespaces/:namespace_id/triggers';
  const route = (method: string, pattern: string, handler: Handler) =>
    core.route(method, pattern, (req) => {
      if (!hasPreview()) throw forbidden();
      return handler(req);
    });
  route('GET', base, (req) => {
    const ns = findNamespace(state, req.params.namespace_id);
    const all = [...ns.triggers.values()].sort((a, b) => a.createdAt - b.createdAt);
    return {
      status: 200,
      body: paginate(
        req,
        core.baseUrl(),
        'triggers',
        all.map((t) => triggerJson(core, ns, t)),
      ),
    };
  });
  route('POST', base, (req) => {
    const ns = findNamespace(state, req.params.namespace_id);
    const trigger = parseCreate(ns, req.body, core.clock.now());
    if (ns.triggers.has(trigger.name)) throw conflict(`trigger "${trigger.name}" already exists`);
    if (ns.triggers.size >= MAX_TRIGGERS) throw unprocessable('triggers limit reached');
    ns.triggers.set(trigger.name, trigger);
    onChange();
    return { status: 200, body: { trigger: triggerJson(core, ns, trigger) } };
  });
  route('GET', `${base}/:trigger_name`, (req) => {
    const { ns, trigger } = findTrigger(state, req);
    return { status: 200, body: { trigger: triggerJson(core, ns, trigger) } };
  });
  route('PUT', `${base}/:trigger_name`, (req) => {
    const { ns, trigger } = findTrigger(state, req);
    applyUpdate(trigger, req.body, core.clock.now());
    onChange();
    return { status: 200, body: { trigger: triggerJson(core, ns, trigger) } };
  });
  route('DELETE', `${base}/:trigger_name`, (req) => {
    const { ns, trigger } = findTrigger(state, req);
    ns.triggers.delete(trigger.name);
    return { status: 204 };
  });
}

function findTrigger(
  state: FunctionsState,
  req: EmuRequest,
): { ns: NamespaceRecord; trigger: TriggerRecord } {
  const ns = findNamespace(state, req.params.namespace_id);
  const trigger = ns.triggers.get(req.params.trigger_name ?? '');
  if (!trigger) throw triggerNotFound();
  return { ns, trigger };
}

function parseCreate(ns: NamespaceRecord, body: unknown, now: number): TriggerRecord {
  const input = asObject(body);
  const details = input.scheduled_details === undefined ? undefined : asObject(input.scheduled_details);
  const missing: string[] = [];
  if (typeof input.name !== 'string' || input.name === '') missing.push('missing trigger name');
  if (typeof input.function !== 'string' || input.function === '') missing.push('missing function name');
  if (!details) missing.push('missing source details');
  if (missing.length) throw badRequest(`validating create trigger: validation error: ${missing.join(', ')}`);
  if (input.type !== 'SCHEDULED') {
    throw badRequest(
      `validating create trigger: validation error: unsupported trigger type "${String(input.type)}"`,
    );
  }
  const cron = checkedCron(details!.cron, 'create');
  const fn = input.function as string;
  if (!ns.actions.has(triggerActionName(ns, fn))) {
    throw badRequest(`validating create trigger: function "${fn}" does not exist in namespace ${ns.name}`);
  }
  const isEnabled = input.is_enabled === true;
  return {
    name: input.name as string,
    function: fn,
    type: 'SCHEDULED',
    isEnabled,
    cron,
    body: checkedBody(details!.body, 'create'),
    createdAt: now,
    updatedAt: now,
    lastRunAt: undefined,
    nextRunAt: isEnabled ? nextRun(cron, now) : undefined,
  };
}

function applyUpdate(trigger: TriggerRecord, body: unknown, now: number): void {
  const input = asObject(body);
  if (input.is_enabled !== undefined && typeof input.is_enabled !== 'boolean') {
    throw badRequest('validating update trigger: validation error: is_enabled must be a boolean');
  }
  if (input.scheduled_details !== undefined && input.scheduled_details !== null) {
    const details = asObject(input.scheduled_details);
    trigger.cron = checkedCron(details.cron, 'update');
    trigger.body = checkedBody(details.body, 'update');
  }
  if (typeof input.is_enabled === 'boolean') trigger.isEnabled = input.is_enabled;
  trigger.nextRunAt = trigger.isEnabled ? nextRun(trigger.cron, now) : undefined;
  trigger.updatedAt = now;
}

function checkedCron(raw: unknown, op: 'create' | 'update'): string {
  if (typeof raw !== 'string' || raw.trim() === '') {
    throw badRequest(`validating ${op} trigger: validation error: missing cron expression`);
  }
  const problem = cronProblem(raw);
  if (problem) throw badRequest(`validating ${op} trigger: validation error: ${problem}`);
  return raw.trim();
}

function checkedBody(raw: unknown, op: 'create' | 'update'): Record<string, unknown> | null {
  if (raw === undefined || raw === null) return null;
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw badRequest(`validating ${op} trigger: validation error: body must be a JSON object`);
  }
  return raw as Record<string, unknown>;
}

function asObject(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}
