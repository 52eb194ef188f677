/**
 * Reads a query string into params, refusing a name given twice (in any spelling that decodes to
 * the same name): URLSearchParams keeps every pair, and taking the last one would let
 * `?dry_run=true&dry_run=false` run for real.
 */
import { InputError } from '../errors.js';
import { shownName } from './shown-name.js';

export function parseQuery(query: string): Record<string, string> {
  // A Map, so a name such as `__proto__` is a name like any other.
  const params = new Map<string, string>();
  for (const [name, value] of new URLSearchParams(query)) {
    if (params.has(name)) {
      throw new InputError(
        'The request',
        [{ path: shownName(name), message: 'is given more than once in the query string' }],
        { hint: 'Give each parameter once.' },
      );
    }
    params.set(name, value);
  }
  return Object.fromEntries(params);
}
