/**
 * Functions namespaces through the DigitalOcean API: list, create ({ label, region }), get and
 * delete by id (`fn-<uuid>`). A namespace carries its OpenWhisk credentials (`uuid`, `key`) and
 * its `api_host`, which is the emulator itself. Labels are unique per account; an account has at
 * most 10 namespaces.
 */
import { randomBytes } from 'node:crypto';
import { badRequest, HttpError, unprocessable } from '../../core/http-error.js';
import { paginate } from '../../core/paginate.js';
import type { EmuCore } from '../../core/types.js';
import type { FunctionsState, NamespaceRecord } from '../../openwhisk/state.js';

/** The datacenters Functions runs in (one per region). */
export const FUNCTIONS_REGIONS = [
  'nyc1',
  'sfo3',
  'ams3',
  'lon1',
  'fra1',
  'sgp1',
  'tor1',
  'blr1',
  'syd1',
] as const;
const MAX_NAMESPACES = 10;
const KEY_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

export const namespaceNotFound = () => new HttpError(404, 'not_found', 'namespace not found');

export function namespaceJson(core: EmuCore, ns: NamespaceRecord): Record<string, unknown> {
  return {
    api_host: core.baseUrl(),
    namespace: ns.name,
    created_at: core.clock.iso(ns.createdAt),
    updated_at: core.clock.iso(ns.updatedAt),
    label: ns.label,
    region: ns.region,
    uuid: ns.uuid,
    key: ns.key,
  };
}

export function findNamespace(state: FunctionsState, id: string | undefined): NamespaceRecord {
  const ns = state.namespaces.get(id ?? '');
  if (!ns) throw namespaceNotFound();
  return ns;
}

export function registerNamespaces(core: EmuCore, state: FunctionsState): void {
  const base = '/v2/functions/namespaces';
  core.route('GET', base, (req) => {
    const all = [...state.namespaces.values()].sort((a, b) => a.createdAt - b.createdAt);
    return {
      status: 200,
      body: paginate(
        req,
        core.baseUrl(),
        'namespaces',
        all.map((ns) => namespaceJson(core, ns)),
      ),
    };
  });
  core.route('POST', base, (req) => {
    const { label, region } = parseCreate(req.body);
    for (const ns of state.namespaces.values()) {
      if (ns.label === label) throw unprocessable(`a namespace with label "${label}" is already in use`);
    }
    if (state.namespaces.size >= MAX_NAMESPACES) throw unprocessable('namespace limit reached');
    const uuid = core.ids.uuid();
    const now = core.clock.now();
    const ns: NamespaceRecord = {
      uuid,
      key: randomKey(),
      name: `fn-${uuid}`,
      label,
      region,
      createdAt: now,
      updatedAt: now,
      packages: new Map(),
      actions: new Map(),
      activations: new Map(),
      triggers: new Map(),
    };
    state.namespaces.set(ns.name, ns);
    return { status: 200, body: { namespace: namespaceJson(core, ns) } };
  });
  core.route('GET', `${base}/:namespace_id`, (req) => ({
    status: 200,
    body: { namespace: namespaceJson(core, findNamespace(state, req.params.namespace_id)) },
  }));
  core.route('DELETE', `${base}/:namespace_id`, (req) => {
    // Packages, functions and triggers go with the namespace.
    state.namespaces.delete(findNamespace(state, req.params.namespace_id).name);
    return { status: 204 };
  });
}

function parseCreate(body: unknown): { label: string; region: string } {
  const input = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const { label, region } = input;
  if (typeof label !== 'string' || label.trim() === '')
    throw badRequest('Invalid request payload: missing label field');
  if (typeof region !== 'string' || region === '')
    throw badRequest('Invalid request payload: missing region field');
  if (!(FUNCTIONS_REGIONS as readonly string[]).includes(region)) {
    throw badRequest(
      `Invalid request payload: region "${region}" is not one of ${FUNCTIONS_REGIONS.join(', ')}`,
    );
  }
  return { label, region };
}

/** 64 lower-case alphanumerics, like the keys DigitalOcean issues. */
function randomKey(): string {
  return [...randomBytes(64)].map((b) => KEY_ALPHABET[b % KEY_ALPHABET.length]).join('');
}
