/**
 * Fits a result body under DigitalOcean's result size limit (1 MB for the whole function result).
 * An over-size result would fail the invocation outright and lose everything, so it is cut instead,
 * visibly: long strings are shortened first (logs, command output), then long arrays (listings),
 * and the body says `truncated: true` with what was cut.
 */
import type { JsonValue } from '../log/serialize.js';

export interface Fitted {
  body: JsonValue;
  /** Serialised size of the returned body in bytes. */
  bytes: number;
  truncated: boolean;
}

/** Strings are never cut below this many characters, so what remains still reads. */
const MIN_STRING = 200;

export function fitBody(body: JsonValue, maxBytes: number): Fitted {
  const bytes = sizeOf(body);
  if (bytes <= maxBytes) return { body, bytes, truncated: false };

  const mark = (cut: JsonValue, how: string): JsonValue => {
    const truncation = { original_bytes: bytes, limit_bytes: maxBytes, how };
    if (cut !== null && typeof cut === 'object' && !Array.isArray(cut)) {
      return { ...cut, truncated: true, truncation };
    }
    return { truncated: true, truncation, value: cut };
  };
  const fits = (candidate: JsonValue) => sizeOf(candidate) <= maxBytes;

  // The predicate builds the exact body it would return, note included, so the size test is exact.
  const byStrings = (limit: number) =>
    mark(cutStrings(body, limit), `strings longer than ${limit} characters were cut`);
  const stringLimit = largest(MIN_STRING, longestString(body), (limit) => fits(byStrings(limit)));
  if (stringLimit !== undefined) return done(byStrings(stringLimit));

  const shortened = cutStrings(body, MIN_STRING);
  const byItems = (limit: number) =>
    mark(
      cutArrays(shortened, limit),
      `strings longer than ${MIN_STRING} characters were cut and lists kept to their first ${limit} items`,
    );
  const itemLimit = largest(0, longestArray(shortened), (limit) => fits(byItems(limit)));
  if (itemLimit !== undefined) return done(byItems(itemLimit));
  return done(
    mark(null, 'the result was too large to return in any form; run the operation locally to see it'),
  );
}

function done(body: JsonValue): Fitted {
  return { body, bytes: sizeOf(body), truncated: true };
}

function sizeOf(value: JsonValue): number {
  return Buffer.byteLength(JSON.stringify(value), 'utf8');
}

/** The largest n in [low, high] for which ok(n) holds, assuming ok is monotone; undefined if none. */
function largest(low: number, high: number, ok: (n: number) => boolean): number | undefined {
  if (high < low || !ok(low)) return undefined;
  let lo = low;
  let hi = high;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (ok(mid)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

function cutStrings(value: JsonValue, limit: number): JsonValue {
  if (typeof value === 'string') {
    return value.length <= limit
      ? value
      : `${value.slice(0, limit)}… [${value.length - limit} more characters]`;
  }
  if (Array.isArray(value)) return value.map((item) => cutStrings(item, limit));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, cutStrings(item, limit)]));
  }
  return value;
}

function cutArrays(value: JsonValue, limit: number): JsonValue {
  if (Array.isArray(value)) return value.slice(0, limit).map((item) => cutArrays(item, limit));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, cutArrays(item, limit)]));
  }
  return value;
}

function longestString(value: JsonValue): number {
  if (typeof value === 'string') return value.length;
  if (Array.isArray(value)) return value.reduce<number>((max, item) => Math.max(max, longestString(item)), 0);
  if (value !== null && typeof value === 'object') {
    return Object.values(value).reduce<number>((max, item) => Math.max(max, longestString(item)), 0);
  }
  return 0;
}

function longestArray(value: JsonValue): number {
  if (Array.isArray(value)) {
    return value.reduce<number>((max, item) => Math.max(max, longestArray(item)), value.length);
  }
  if (value !== null && typeof value === 'object') {
    return Object.values(value).reduce<number>((max, item) => Math.max(max, longestArray(item)), 0);
  }
  return 0;
}
