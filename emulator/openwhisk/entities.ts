/**
 * OpenWhisk entity shapes: names, key/value lists, versions, and the JSON the controller answers
 * for actions and packages.
 */
import { malformed, OW_MESSAGES, OwError } from './errors.js';
import type { ActionRecord, KeyValue, NamespaceRecord, PackageRecord } from './state.js';

/** OpenWhisk's EntityName: word characters, then word characters, `@`, space, `.` or `-`. */
const ENTITY_NAME = /^(?:\w|\w[\w@ .-]*[\w@.-]+)$/;
const MAX_NAME_LENGTH = 256;

export function checkEntityName(name: string): string {
  if (!ENTITY_NAME.test(name) || name.length > MAX_NAME_LENGTH)
    throw new OwError(400, OW_MESSAGES.entityNameIllegal);
  return name;
}

export function qualifiedName(packageName: string | undefined, name: string): string {
  return packageName === undefined ? name : `${packageName}/${name}`;
}

export function nextVersion(version: string | undefined): string {
  if (version === undefined) return '0.0.1';
  const [major = 0, minor = 0, patch = 0] = version.split('.').map(Number);
  return `${major}.${minor}.${patch + 1}`;
}

/** Validates a `[{ key, value, init? }]` list from a request body. */
export function parseKeyValues(raw: unknown, field: string): KeyValue[] | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!Array.isArray(raw)) throw malformed(`${field} must be an array of key/value pairs`);
  return raw.map((item) => {
    if (typeof item !== 'object' || item === null || typeof (item as KeyValue).key !== 'string') {
      throw malformed(`${field} must be an array of key/value pairs`);
    }
    const { key, value, init } = item as KeyValue;
    return init === true ? { key, value, init: true } : { key, value };
  });
}

/** `base` with every key of `overrides` replaced or added (OpenWhisk merges annotations this way). */
export function mergeKeyValues(base: readonly KeyValue[], overrides: readonly KeyValue[]): KeyValue[] {
  const merged = new Map(base.map((kv) => [kv.key, kv]));
  for (const kv of overrides) merged.set(kv.key, kv);
  return [...merged.values()];
}

export function keyValue(list: readonly KeyValue[], key: string): unknown {
  return list.find((kv) => kv.key === key)?.value;
}

export function toDict(list: readonly KeyValue[]): Record<string, unknown> {
  return Object.fromEntries(list.map((kv) => [kv.key, kv.value]));
}

/** An action's `namespace` field: the namespace, plus the package when it has one. */
export function entityNamespace(ns: NamespaceRecord, action: ActionRecord): string {
  return action.packageName === undefined ? ns.name : `${ns.name}/${action.packageName}`;
}

export function actionJson(
  ns: NamespaceRecord,
  action: ActionRecord,
  includeCode = true,
): Record<string, unknown> {
  const { kind, binary, code, main } = action.exec;
  return {
    namespace: entityNamespace(ns, action),
    name: action.name,
    version: action.version,
    exec: { kind, binary, ...(includeCode ? { code } : {}), ...(main ? { main } : {}) },
    parameters: action.parameters,
    annotations: action.annotations,
    limits: action.limits,
    publish: action.publish,
    updated: action.updated,
  };
}

export function actionSummary(ns: NamespaceRecord, action: ActionRecord): Record<string, unknown> {
  return {
    namespace: entityNamespace(ns, action),
    name: action.name,
    version: action.version,
    publish: action.publish,
    annotations: action.annotations,
    limits: action.limits,
    exec: { binary: action.exec.binary },
    updated: action.updated,
  };
}

export function packageJson(
  ns: NamespaceRecord,
  pkg: PackageRecord,
  withActions: boolean,
): Record<string, unknown> {
  const base: Record<string, unknown> = {
    namespace: ns.name,
    name: pkg.name,
    version: pkg.version,
    publish: pkg.publish,
    binding: {},
    parameters: pkg.parameters,
    annotations: pkg.annotations,
    updated: pkg.updated,
  };
  if (!withActions) return base;
  const actions = [...ns.actions.values()]
    .filter((a) => a.packageName === pkg.name)
    .map((a) => ({ name: a.name, version: a.version, annotations: a.annotations }));
  return { ...base, actions, feeds: [] };
}
