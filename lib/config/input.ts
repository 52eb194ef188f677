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

/** `['droplets', 'count']` → `droplets.count`; the empty path → `root`. */
export function joinPath(path: readonly PropertyKey[], root = 'input'): string {
  return path.length === 0 ? root : path.map((key) => String(key)).join('.');
}

/** One problem per issue; an unknown field becomes its own problem at its own path. */
export function zodProblems(error: z.ZodError, root = 'input'): Problem[] {
  return error.issues.flatMap((issue): Problem[] => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        path: joinPath([...issue.path, key], root),
        message: 'is not a known field (check its spelling and indentation)',
      }));
    }
    return [{ path: joinPath(issue.path, root), message: issue.message }];
  });
}

/** Validate `raw` or throw an InputError listing every problem. */
export function parseInput<T>(schema: z.ZodType<T>, raw: unknown, subject: string): T {
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
