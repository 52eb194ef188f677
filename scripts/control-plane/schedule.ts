/**
 * Which environments the scheduled triggers run for. A trigger's body is its function's input,
 * and maintain needs an `env`: a trigger project.yml declares without one is made once per
 * environment deployment.yml defines (`maintain-every-5-minutes-staging` with body
 * `{"env":"staging"}`, …), so the schedule never depends on a DEPLOY_ENV that may be unset.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import { environmentNameSchema } from '../../lib/config/names.js';
import { ConfigError } from '../../lib/errors.js';
import type { TriggerState } from './plan.js';

/**
 * Scheduled triggers a namespace may hold during DigitalOcean's private preview
 * (https://docs.digitalocean.com/products/functions/details/limits).
 */
export const MAX_SCHEDULED_TRIGGERS = 3;

/** The environments deployment.yml (BASE2_MANIFEST) defines, in its order; [] when it has none. */
export function manifestEnvironments(
  root: string,
  source: Readonly<Record<string, string | undefined>>,
): string[] {
  const path = resolve(root, source.BASE2_MANIFEST || 'deployment.yml');
  if (!existsSync(path)) {
    throw new ConfigError('BASE2_MANIFEST', [
      {
        path: 'BASE2_MANIFEST',
        message: `${path} does not exist: bootstrap schedules maintain for its environments`,
      },
    ]);
  }
  let doc: unknown;
  try {
    doc = parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ConfigError(path, [
      { path: 'deployment.yml', message: `is not YAML (${(error as Error).message})` },
    ]);
  }
  const environments = (doc as { environments?: unknown } | null)?.environments;
  if (environments === undefined || environments === null) return [];
  if (typeof environments !== 'object' || Array.isArray(environments)) {
    throw new ConfigError(path, [
      { path: 'environments', message: 'must map each environment name to its settings' },
    ]);
  }
  const names = Object.keys(environments);
  const bad = names.filter((name) => !environmentNameSchema.safeParse(name).success);
  if (bad.length > 0) {
    throw new ConfigError(
      path,
      bad.map((name) => ({ path: `environments.${name}`, message: 'is not a valid environment name' })),
    );
  }
  return names;
}

/**
 * Pure: each trigger whose body names no `env`, once per environment (its name suffixed with the
 * environment, its body with `env` added); a trigger that names one, or no environments at all,
 * stays as it is.
 */
export function triggersPerEnvironment(
  triggers: readonly TriggerState[],
  environments: readonly string[],
): TriggerState[] {
  return triggers.flatMap((trigger) =>
    trigger.body?.env !== undefined || environments.length === 0
      ? [trigger]
      : environments.map((env) => ({
          ...trigger,
          name: `${trigger.name}-${env}`,
          body: { ...trigger.body, env },
        })),
  );
}

/** Pure: those the namespace can hold, and the rest (run from cron instead). */
export function withinTriggerLimit(triggers: readonly TriggerState[]): {
  scheduled: TriggerState[];
  over: TriggerState[];
} {
  return {
    scheduled: triggers.slice(0, MAX_SCHEDULED_TRIGGERS),
    over: triggers.slice(MAX_SCHEDULED_TRIGGERS),
  };
}
