/**
 * How an environment's overrides apply to the manifest: mappings merge key by key, lists and plain
 * values replace, and `null` removes (so `domain: null` turns the domain off for one environment).
 */

export type PlainObject = Record<string, unknown>;

export function isPlainObject(value: unknown): value is PlainObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function deepMerge(base: PlainObject, override: PlainObject): PlainObject {
  const merged: PlainObject = { ...base };
  for (const [key, value] of Object.entries(override)) {
    const current = merged[key];
    if (value === null) delete merged[key];
    else if (isPlainObject(value) && isPlainObject(current)) merged[key] = deepMerge(current, value);
    else merged[key] = value;
  }
  return merged;
}
