/**
 * Packages: list, get (with the actions inside), put (`?overwrite=true` to replace an existing
 * one; without it an existing package is a 409) and delete (a package with actions in it is a 409
 * unless `?force=true`).
 */
import type { EmuClock } from '../core/clock.js';
import type { EmuCore, EmuRequest } from '../core/types.js';
import { authorizedNamespace } from './auth.js';
import { checkEntityName, mergeKeyValues, nextVersion, packageJson, parseKeyValues } from './entities.js';
import { OW_MESSAGES, OwError, owNotFound, owRoute } from './errors.js';
import type { FunctionsState, NamespaceRecord } from './state.js';

const RESERVED_PACKAGE_NAMES = new Set(['default']);

export function registerPackages(core: EmuCore, state: FunctionsState): void {
  const base = '/api/v1/namespaces/:ns/packages';
  core.route(
    'GET',
    base,
    owRoute((req) => {
      const ns = authorizedNamespace(state, req);
      const all = [...ns.packages.values()].sort((a, b) => b.updated - a.updated);
      if (req.query.get('count') === 'true') return { status: 200, body: { packages: all.length } };
      return { status: 200, body: all.map((p) => ({ ...packageJson(ns, p, false), binding: false })) };
    }),
    { auth: 'none' },
  );
  core.route(
    'GET',
    `${base}/:pkg`,
    owRoute((req) => {
      const ns = authorizedNamespace(state, req);
      const pkg = ns.packages.get(req.params.pkg ?? '');
      if (!pkg) throw owNotFound();
      return { status: 200, body: packageJson(ns, pkg, true) };
    }),
    { auth: 'none' },
  );
  core.route(
    'PUT',
    `${base}/:pkg`,
    owRoute((req) => putPackage(state, core.clock, req)),
    { auth: 'none' },
  );
  core.route(
    'DELETE',
    `${base}/:pkg`,
    owRoute((req) => deletePackage(state, req)),
    { auth: 'none' },
  );
}

function putPackage(state: FunctionsState, clock: EmuClock, req: EmuRequest) {
  const ns = authorizedNamespace(state, req);
  const name = checkEntityName(req.params.pkg ?? '');
  if (RESERVED_PACKAGE_NAMES.has(name)) throw new OwError(400, `Package name '${name}' is reserved.`);
  if (ns.actions.has(name)) throw new OwError(409, OW_MESSAGES.conformance);
  const existing = ns.packages.get(name);
  if (existing && req.query.get('overwrite') !== 'true') throw new OwError(409, OW_MESSAGES.exists);
  const content = (typeof req.body === 'object' && req.body !== null ? req.body : {}) as Record<
    string,
    unknown
  >;
  const parameters = parseKeyValues(content.parameters, 'parameters');
  const annotations = parseKeyValues(content.annotations, 'annotations');
  const pkg = {
    name,
    parameters: parameters ?? existing?.parameters ?? [],
    annotations: mergeKeyValues(existing?.annotations ?? [], annotations ?? []),
    version: typeof content.version === 'string' ? content.version : nextVersion(existing?.version),
    publish: typeof content.publish === 'boolean' ? content.publish : (existing?.publish ?? false),
    updated: clock.now(),
  };
  ns.packages.set(name, pkg);
  return { status: 200, body: packageJson(ns, pkg, false) };
}

function deletePackage(state: FunctionsState, req: EmuRequest) {
  const ns = authorizedNamespace(state, req);
  const pkg = ns.packages.get(req.params.pkg ?? '');
  if (!pkg) throw owNotFound();
  const contents = actionsIn(ns, pkg.name);
  if (contents.length > 0 && req.query.get('force') !== 'true') {
    const noun = contents.length === 1 ? 'entity' : 'entities';
    throw new OwError(
      409,
      `Package not empty (contains ${contents.length} ${noun}). Set force param or delete package contents.`,
    );
  }
  for (const action of contents) ns.actions.delete(action);
  ns.packages.delete(pkg.name);
  return { status: 200, body: packageJson(ns, pkg, false) };
}

function actionsIn(ns: NamespaceRecord, pkg: string): string[] {
  return [...ns.actions.values()].filter((a) => a.packageName === pkg).map((a) => a.qualifiedName);
}
