/**
 * Validating untrusted input at the edge: zod issues become `Problem`s that name the path
 * (`droplets.count`, `env`) and say what is expected, never echoing the value (it may be a secret).
 */
import type { core } from 'zod';
import * as z from 'zod';
import { InputError, type Problem } from '../errors.js';
import { environmentNameSchema } from './names.js';

const EXPECTED_WORDS: Record<string, string> = {
  object: 'a mapping of fields (key: value)',
  array: 'a list',
  string: 'text',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
  record: 'a mapping',
};

/**
 * The wording for issues a schema did not word itself. Passed per parse (not installed globally)
 * so importing this module changes nothing elsewhere.
 */
export const friendlyError: core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return 'is required';
      return `must be ${EXPECTED_WORDS[issue.expected] ?? issue.expected}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map((value) => String(value)).join(', ')}`;
    case 'invalid_key':
      return `is not an accepted key: it ${issue.issues[0]?.message ?? 'has the wrong form'}`;
    case 'invalid_union':
      return 'does not match any accepted form';
    default:
      return undefined;
  }
};

/**
 * A schema-level message that still lets a missing value say "is required": zod would otherwise use
 * the schema's message for `undefined` too.
 */
export function customError(message: string): { error: core.$ZodErrorMap } {
  return { error: (issue) => (issue.input === undefined ? undefined : message) };
}

/**
 * `['droplets', 'count']` → `droplets.count`; the empty path → `root`. A key that is not a plain
 * name (a caller's own key with a line break, a quote, a dot, or a megabyte of text) is quoted as
 * JSON and cut short, so a problem stays one readable line that cannot forge another.
 */
export function joinPath(path: readonly PropertyKey[], root = 'input'): string {
  return path.length === 0 ? root : path.map(pathSegment).join('.');
}

const PLAIN_SEGMENT = /^[\w-]{1,64}$/;
const MAX_SEGMENT = 64;

function pathSegment(key: PropertyKey): string {
  const text = typeof key === 'symbol' ? (key.description ?? 'symbol') : String(key);
  if (PLAIN_SEGMENT.test(text)) return text;
  const cut = text.length > MAX_SEGMENT ? `${text.slice(0, MAX_SEGMENT)}…` : text;
  // JSON escapes control characters; also escape what could pass for markup or a line end.
  return JSON.stringify(cut).replace(
    /[\u2028\u2029\u007f-\u009f]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/**
 * `__proto__` as a key: JSON.parse and YAML make it an ordinary key, but zod drops it from records
 * (it would replace the prototype), so it would be ignored without a word. It is refused instead.
 */
export function prototypeKeyProblems(raw: unknown, root = 'input', path: PropertyKey[] = []): Problem[] {
  if (raw === null || typeof raw !== 'object' || path.length > 32) return [];
  return Object.keys(raw).flatMap((key) => [
    ...(key === '__proto__'
      ? [{ path: joinPath([...path, key], root), message: 'is not an accepted key' }]
      : []),
    ...prototypeKeyProblems((raw as Record<string, unknown>)[key], root, [...path, key]),
  ]);
}

/** A problem with its path still as keys, for code that must look the path up in the input. */
export interface PathProblem {
  segments: readonly PropertyKey[];
  message: string;
}

/** One per issue; an unknown field becomes its own problem at its own path. */
export function zodPathProblems(error: z.ZodError): PathProblem[] {
  return error.issues.flatMap((issue): PathProblem[] => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        segments: [...issue.path, key],
        message: 'is not a known field (check its spelling and indentation)',
      }));
    }
    return [{ segments: issue.path, message: issue.message }];
  });
}

/** One problem per issue; an unknown field becomes its own problem at its own path. */
export function zodProblems(error: z.ZodError, root = 'input'): Problem[] {
  return zodPathProblems(error).map(({ segments, message }) => ({ path: joinPath(segments, root), message }));
}

/** Validate `raw` or throw an InputError listing every problem. */
export function parseInput<T>(schema: z.ZodType<T>, raw: unknown, subject: string): T {
  const forbidden = prototypeKeyProblems(raw);
  if (forbidden.length > 0) throw new InputError(subject, forbidden);
  const result = schema.safeParse(raw, { error: friendlyError });
  if (!result.success) throw new InputError(subject, zodProblems(result.error));
  return result.data;
}

/** A boolean that also accepts the strings CLI flags and web query parameters carry. */
export const booleanParamSchema = z.union(
  [z.boolean(), z.literal(['true', 'false']).transform((value) => value === 'true')],
  customError('must be true or false'),
);

/** Fields every operation takes. `env` falls back to DEPLOY_ENV when absent. */
// Strict: a misspelt field (`dryrun`) must be refused, never silently ignored while the operation runs.
export const commonInputSchema = z.strictObject({
  env: environmentNameSchema.optional(),
  dry_run: booleanParamSchema.default(false),
});
export type CommonInput = z.output<typeof commonInputSchema>;
