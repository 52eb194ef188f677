/**
 * Masks registered secret values wherever they appear: in plain text, in the encodings a secret
 * typically travels in (base64, base64url, URL-encoding, JSON string escaping) and, for multi-line
 * secrets such as PEM private keys, line by line, since logs and errors often quote one line.
 */
import { secretVariants } from './secret-variants.js';

export const REDACTED = '[REDACTED]';

/**
 * Shorter values are ignored: masking every occurrence of a 3-letter string would shred ordinary
 * text while protecting nothing (a real token, key or password is far longer).
 */
export const MIN_SECRET_LENGTH = 6;

/**
 * Every variant is at least MIN_SECRET_LENGTH long, so its first KEY_LENGTH characters index it, and
 * longer variants are indexed again by the next KEY_LENGTH: the scan looks at each position of the
 * text once and compares only the variants sharing both keys, so the cost stays flat however many
 * secrets are registered, even when they share a prefix (every DigitalOcean token starts `dop_v1_`).
 */
const KEY_LENGTH = MIN_SECRET_LENGTH;

interface Bucket {
  /** Variants shorter than two keys, longest first. */
  short: string[];
  /** Longer variants by their second key, longest first. */
  long: Map<string, string[]>;
}

export class Redactor {
  private readonly secrets = new Set<string>();
  private readonly buckets = new Map<string, Bucket>();
  /** First character codes of every variant: a cheap test before building a bucket key. */
  private readonly firstChars = new Set<number>();

  /** Registers a secret; values shorter than MIN_SECRET_LENGTH (after trimming) are ignored. */
  add(secret: string | null | undefined): this {
    if (typeof secret !== 'string') return this;
    const value = secret.trim();
    if (value.length < MIN_SECRET_LENGTH || this.secrets.has(value)) return this;
    this.secrets.add(value);
    for (const variant of secretVariants(value, MIN_SECRET_LENGTH)) this.index(variant);
    return this;
  }

  /** Registers several secrets at once. */
  addAll(secrets: Iterable<string | null | undefined>): this {
    for (const secret of secrets) this.add(secret);
    return this;
  }

  get size(): number {
    return this.secrets.size;
  }

  /** The text with every registered secret (and its encoded forms) replaced by `[REDACTED]`. */
  redact(text: string): string {
    if (this.buckets.size === 0 || text.length < KEY_LENGTH) return text;
    let out = '';
    let copied = 0;
    let start = -1;
    let end = -1;
    for (let i = 0; i + KEY_LENGTH <= text.length; i++) {
      if (!this.firstChars.has(text.charCodeAt(i))) continue;
      const bucket = this.buckets.get(text.slice(i, i + KEY_LENGTH));
      if (bucket === undefined) continue;
      const variant = this.longestAt(text, i, bucket);
      if (variant === undefined) continue;
      const matchEnd = i + variant.length;
      // Overlapping or touching matches merge into one mask, so no fragment of a secret survives
      // between two masks.
      if (start >= 0 && i <= end) {
        end = Math.max(end, matchEnd);
        continue;
      }
      if (start >= 0) {
        out += text.slice(copied, start) + REDACTED;
        copied = end;
      }
      start = i;
      end = matchEnd;
    }
    if (start < 0) return text;
    return out + text.slice(copied, start) + REDACTED + text.slice(end);
  }

  /**
   * A copy of the value with every string redacted: objects, arrays, Errors (message, stack, cause
   * and own fields; the prototype is kept so `instanceof` and `toJSON` still work), Maps and Sets.
   * Objects with `toJSON` (Dates, …) are converted first, as JSON.stringify would.
   */
  redactDeep<T>(value: T): T {
    return this.walk(value, new WeakMap()) as T;
  }

  private walk(value: unknown, seen: WeakMap<object, unknown>): unknown {
    if (typeof value === 'string') return this.redact(value);
    if (typeof value !== 'object' || value === null) return value;
    const known = seen.get(value);
    if (known !== undefined) return known;
    if (value instanceof Error) return this.walkError(value, seen);
    if (Array.isArray(value)) {
      const copy: unknown[] = [];
      seen.set(value, copy);
      for (const item of value) copy.push(this.walk(item, seen));
      return copy;
    }
    if (value instanceof Map) {
      const copy = new Map<unknown, unknown>();
      seen.set(value, copy);
      for (const [k, v] of value) copy.set(this.walk(k, seen), this.walk(v, seen));
      return copy;
    }
    if (value instanceof Set) {
      const copy = new Set<unknown>();
      seen.set(value, copy);
      for (const item of value) copy.add(this.walk(item, seen));
      return copy;
    }
    if (ArrayBuffer.isView(value)) return value;
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') return this.walk(toJSON.call(value), seen);
    const copy: Record<string, unknown> = {};
    seen.set(value, copy);
    for (const [k, v] of Object.entries(value)) copy[this.redact(k)] = this.walk(v, seen);
    return copy;
  }

  private walkError(error: Error, seen: WeakMap<object, unknown>): Error {
    const copy = Object.create(Object.getPrototypeOf(error)) as Error;
    seen.set(error, copy);
    for (const key of Reflect.ownKeys(error)) {
      const descriptor = Object.getOwnPropertyDescriptor(error, key);
      if (descriptor === undefined) continue;
      if ('value' in descriptor) descriptor.value = this.walk(descriptor.value, seen);
      else if (descriptor.get) {
        // Accessors (V8's lazy `stack`) are read once and stored as plain redacted values.
        const current = descriptor.get.call(error);
        Object.defineProperty(copy, key, {
          value: this.walk(current, seen),
          writable: true,
          configurable: true,
          enumerable: descriptor.enumerable ?? false,
        });
        continue;
      }
      Object.defineProperty(copy, key, descriptor);
    }
    return copy;
  }

  private longestAt(text: string, at: number, bucket: Bucket): string | undefined {
    const from = at + KEY_LENGTH;
    const long = bucket.long.get(text.slice(from, from + KEY_LENGTH));
    const match = long?.find((candidate) => text.startsWith(candidate, at));
    return match ?? bucket.short.find((candidate) => text.startsWith(candidate, at));
  }

  private index(variant: string): void {
    if (variant.length < KEY_LENGTH) return;
    const key = variant.slice(0, KEY_LENGTH);
    let bucket = this.buckets.get(key);
    if (bucket === undefined) {
      bucket = { short: [], long: new Map() };
      this.buckets.set(key, bucket);
    }
    if (variant.length < 2 * KEY_LENGTH) {
      insertByLength(bucket.short, variant);
    } else {
      const second = variant.slice(KEY_LENGTH, 2 * KEY_LENGTH);
      const list = bucket.long.get(second) ?? [];
      bucket.long.set(second, list);
      insertByLength(list, variant);
    }
    this.firstChars.add(variant.charCodeAt(0));
  }
}

/** Keeps the list longest first, so the first match found is the longest. */
function insertByLength(list: string[], variant: string): void {
  if (list.includes(variant)) return;
  const at = list.findIndex((existing) => existing.length < variant.length);
  if (at === -1) list.push(variant);
  else list.splice(at, 0, variant);
}
