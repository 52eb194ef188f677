/**
 * Problems found while checking each environment's merged configuration, told where to fix them:
 * under `environments.<env>.` when the environment's override set the offending value, otherwise at
 * the base path, once, saying which environments it affects when that is not all of them.
 */
import type { Problem } from '../errors.js';
import { isPlainObject } from './merge.js';

/** Whether `value` holds something at `path` (keys, or a plain dotted path). */
export function hasPath(value: unknown, path: string | readonly PropertyKey[]): boolean {
  let current = value;
  for (const key of typeof path === 'string' ? path.split('.') : path) {
    if (!(isPlainObject(current) || Array.isArray(current)) || !(key in current)) return false;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return true;
}

export class EnvironmentProblems {
  private readonly attributed: Problem[] = [];
  private readonly shared = new Map<string, { problem: Problem; environments: string[] }>();

  constructor(private readonly environmentCount: number) {}

  /** `segments`: the problem's path as keys, when a key may hold a dot. */
  add(environment: string, override: unknown, problem: Problem, segments?: readonly PropertyKey[]): void {
    if (hasPath(override, segments ?? problem.path)) {
      this.attributed.push({ ...problem, path: `environments.${environment}.${problem.path}` });
      return;
    }
    const key = `${problem.path}\n${problem.message}`;
    const entry = this.shared.get(key) ?? { problem, environments: [] };
    entry.environments.push(environment);
    this.shared.set(key, entry);
  }

  list(): Problem[] {
    const shared = [...this.shared.values()].map(({ problem, environments }) =>
      environments.length === this.environmentCount
        ? problem
        : { ...problem, message: `${problem.message} (in environment ${environments.join(', ')})` },
    );
    return [...shared, ...this.attributed];
  }
}
