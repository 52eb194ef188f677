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
  private readonly variants = new Set<string>();
  private longest = 0;

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
    const spans = this.spans(text);
    if (spans.length === 0) return text;
    let out = '';
    let copied = 0;
    for (const { start, end } of spans) {
      out += text.slice(copied, start) + REDACTED;
      copied = end;
    }
    return out + text.slice(copied);
  }

  /**
   * A text that was cut short (an output cap, a command stopped at its timeout) redacted, and its
   * end masked too when it is the beginning of a secret or of one of its forms: what followed the
   * cut is unknown, so a secret's first half is treated as the secret.
   */
  redactCut(text: string): string {
    const redacted = this.redact(text);
    const from = this.cutSecretStart(redacted);
    return from === undefined ? redacted : redacted.slice(0, from) + REDACTED;
  }

  /**
   * Where the registered secrets are in the text, as `redact` masks them: the longest match at each
   * place, with overlapping or touching matches merged, so no fragment of a secret survives between
   * two masks.
   */
  spans(text: string): { start: number; end: number }[] {
    const spans: { start: number; end: number }[] = [];
    if (this.buckets.size === 0 || text.length < KEY_LENGTH) return spans;
    let current: { start: number; end: number } | undefined;
    for (let i = 0; i + KEY_LENGTH <= text.length; i++) {
      if (!this.firstChars.has(text.charCodeAt(i))) continue;
      const bucket = this.buckets.get(text.slice(i, i + KEY_LENGTH));
      if (bucket === undefined) continue;
      const variant = this.longestAt(text, i, bucket);
      if (variant === undefined) continue;
      const end = i + variant.length;
      if (current !== undefined && i <= current.end) {
        current.end = Math.max(current.end, end);
        continue;
      }
      current = { start: i, end };
      spans.push(current);
    }
    return spans;
  }

  /** UTF-8 bytes of the longest form of any registered secret: how far past a cut a secret can reach. */
  get longestVariantBytes(): number {
    return this.longest;
  }

  /**
   * Where the text's end begins a form of a secret, at least cutFloor characters of it; the earliest
   * such place, so the longest such end is masked.
   */
  private cutSecretStart(text: string): number | undefined {
    let from: number | undefined;
    for (const variant of this.variants) {
      const first = variant.charCodeAt(0);
      const floor = cutFloor(variant);
      // A whole variant at the end is already masked; only a proper prefix is left to find.
      for (let at = Math.max(0, text.length - variant.length + 1); at <= text.length - floor; at++) {
        if (from !== undefined && at >= from) break;
        if (text.charCodeAt(at) === first && variant.startsWith(text.slice(at))) {
          from = at;
          break;
        }
      }
    }
    return from;
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
    this.variants.add(variant);
    this.longest = Math.max(this.longest, Buffer.byteLength(variant, 'utf8'));
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

/**
 * How much of a secret's form a cut text must end with to be masked: four characters, fewer for a
 * short form (a third of it, at least two), so at most three characters of a long secret, or one of
 * a short one, can show at a cut. Four characters of a token's alphabet match ordinary text at a
 * cut about once in millions; masking a few harmless characters at a cut costs little, since the
 * text is cut there anyway.
 */
export const CUT_PREFIX_CHARS = 4;

function cutFloor(variant: string): number {
  return Math.max(2, Math.min(CUT_PREFIX_CHARS, Math.floor(variant.length / 3)));
}

/** Keeps the list longest first, so the first match found is the longest. */
function insertByLength(list: string[], variant: string): void {
  if (list.includes(variant)) return;
  const at = list.findIndex((existing) => existing.length < variant.length);
  if (at === -1) list.push(variant);
  else list.splice(at, 0, variant);
}
