/**
 * Turns anything a caller puts in a log line or a function result into plain JSON data. Errors
 * become `{ name, message, … }` without their stack unless asked (stacks are noise for users and
 * can carry paths and values), cycles become "[Circular]", bigints become strings, so serialising
 * never throws.
 */
import { isToolError } from '../errors.js';

export interface SerializeOptions {
  /** Include `stack` for Errors. */
  stacks?: boolean;
}

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export function toJsonValue(value: unknown, options: SerializeOptions = {}): JsonValue | undefined {
  return convert(value, options, new Set());
}

export function serializeError(error: Error, options: SerializeOptions = {}): { [key: string]: JsonValue } {
  return convertError(error, options, new Set());
}

function convert(value: unknown, options: SerializeOptions, path: Set<object>): JsonValue | undefined {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) ? value : String(value);
    case 'bigint':
      return value.toString();
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
  }
  if (value === null) return null;
  const object = value as object;
  if (path.has(object)) return '[Circular]';
  path.add(object);
  try {
    return convertObject(object, options, path);
  } finally {
    path.delete(object);
  }
}

function convertObject(value: object, options: SerializeOptions, path: Set<object>): JsonValue | undefined {
  if (value instanceof Error) return convertError(value, options, path);
  if (Array.isArray(value)) return value.map((item) => convert(item, options, path) ?? null);
  if (value instanceof Map) return convertEntries(value.entries(), options, path);
  if (value instanceof Set) return [...value].map((item) => convert(item, options, path) ?? null);
  if (Buffer.isBuffer(value)) return `<${value.length} bytes>`;
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') return convert(toJSON.call(value), options, path);
  return convertEntries(Object.entries(value), options, path);
}

function convertEntries(
  entries: Iterable<[unknown, unknown]>,
  options: SerializeOptions,
  path: Set<object>,
): { [key: string]: JsonValue } {
  const out: { [key: string]: JsonValue } = {};
  for (const [key, item] of entries) {
    const converted = convert(item, options, path);
    if (converted !== undefined) out[String(key)] = converted;
  }
  return out;
}

function convertError(
  error: Error,
  options: SerializeOptions,
  path: Set<object>,
): { [key: string]: JsonValue } {
  const out: { [key: string]: JsonValue } = { name: error.name, message: error.message };
  // A ToolError's own summary (kind, hint, problems) is what users act on.
  const summary: Record<string, unknown> = isToolError(error) ? error.toJSON() : {};
  for (const [key, item] of Object.entries(error)) if (!(key in summary)) summary[key] = item;
  for (const [key, item] of Object.entries(summary)) {
    const converted = convert(item, options, path);
    if (converted !== undefined) out[key] = converted;
  }
  if (error.cause !== undefined) {
    const cause = convert(error.cause, options, path);
    if (cause !== undefined) out.cause = cause;
  }
  if (options.stacks && typeof error.stack === 'string') out.stack = error.stack;
  return out;
}
