/**
 * A base value that every environment overrides is never deployed, so checking the merged
 * environments never sees it. It is still written in the file, and becomes live the day an
 * environment stops overriding it (or a new one is added), so it is checked on its own here.
 */
import type * as z from 'zod';
import type { Problem } from '../errors.js';
import { hasPath } from './environment-problems.js';
import { friendlyError, joinPath, zodPathProblems } from './input.js';
import { isPlainObject, type PlainObject } from './merge.js';

/**
 * Whether `override` replaces the base value at `path`: it sets that value, or replaces a list or
 * value on the way to it (lists and plain values replace, mappings merge: lib/config/merge.ts).
 */
export function isReplaced(override: unknown, path: readonly PropertyKey[]): boolean {
  let current = override;
  for (const key of path) {
    if (!isPlainObject(current) || !(String(key) in current)) return false;
    current = current[String(key)];
    if (!isPlainObject(current)) return true;
  }
  // A mapping there merges with the base one: the base value still counts.
  return false;
}

/**
 * The problems of `base` (the manifest's sections before any environment) at values it writes and
 * every one of `overrides` replaces. Missing values are not problems here: environments may supply
 * them.
 */
export function overriddenBaseProblems(
  base: PlainObject,
  overrides: readonly unknown[],
  schema: z.ZodType,
): Problem[] {
  if (overrides.length === 0) return [];
  const result = schema.safeParse(base, { error: friendlyError });
  if (result.success) return [];
  return zodPathProblems(result.error)
    .filter(({ segments }) => hasPath(base, segments) && overrides.every((o) => isReplaced(o, segments)))
    .map(({ segments, message }) => ({
      path: joinPath(segments, 'manifest'),
      message: `${message} (every environment overrides this value, but it is still checked: fix or remove it)`,
    }));
}
