/**
 * Pure: project.yml's runtimes against what the namespace's API host offers (its runtime manifest),
 * so bootstrap refuses a runtime the platform would refuse before it uploads anything, and says
 * which ones it could use instead. A host that lists no manifest is not second-guessed.
 */
import type { Problem } from '../../lib/errors.js';
import type { OwRuntime } from './openwhisk.js';
import type { ProjectFunction } from './project.js';

export interface RuntimeCheck {
  problems: Problem[];
  warnings: string[];
}

export function checkRuntimes(
  functions: readonly Pick<ProjectFunction, 'name' | 'runtime'>[],
  offered: readonly OwRuntime[] | undefined,
): RuntimeCheck {
  if (offered === undefined || offered.length === 0) return { problems: [], warnings: [] };
  const problems: Problem[] = [];
  const warnings: string[] = [];
  for (const kind of new Set(functions.map((fn) => fn.runtime))) {
    const users = functions.filter((fn) => fn.runtime === kind).map((fn) => fn.name);
    const runtime = resolve(kind, offered);
    if (runtime === undefined) {
      const family = kind.split(':')[0];
      const choices = offered.filter((r) => r.kind.split(':')[0] === family && !r.deprecated);
      problems.push({
        path: `functions.${users.join(', ')}.runtime`,
        message:
          `${kind} is not offered by this namespace's API host` +
          (choices.length > 0 ? `; it offers ${choices.map((r) => r.kind).join(', ')}` : ''),
      });
    } else if (runtime.deprecated) {
      warnings.push(
        `runtime ${runtime.kind} (${users.join(', ')}) is deprecated on this platform: set OPS_RUNTIME to a current one.`,
      );
    }
  }
  return { problems, warnings };
}

/** `<family>:default` means the family's default kind, as OpenWhisk resolves it. */
function resolve(kind: string, offered: readonly OwRuntime[]): OwRuntime | undefined {
  const family = /^([a-z0-9-]+):default$/.exec(kind)?.[1];
  if (family !== undefined) return offered.find((r) => r.kind.startsWith(`${family}:`) && r.default);
  return offered.find((r) => r.kind === kind);
}
