/**
 * The control plane as data: what project.yml and the built code ask for (expand), what the
 * namespace holds (read elsewhere, flattened by openwhisk.ts and triggers.ts), and the steps from
 * one to the other (plan, pure). A second bootstrap with nothing changed plans only noops.
 */
import { ConflictError } from '../../lib/errors.js';
import { actionDifferences, annotation, packageDifferences, sameValue } from './differences.js';
import type { FunctionCode } from './function-code.js';
import { ANNOTATIONS, MANAGER } from './marks.js';
import type { ActionBody, KeyVal, OwAction, OwPackage, PackageBody } from './openwhisk.js';
import type { ProjectFunction, ProjectPackage } from './project.js';

export { annotation } from './differences.js';
export { ANNOTATIONS, MANAGER } from './marks.js';

export interface DesiredFunction {
  name: string;
  body: ActionBody;
  digest: string;
}

export interface TriggerState {
  name: string;
  /** `<package>/<function>`. */
  function: string;
  cron: string;
  enabled: boolean;
  body: Record<string, unknown> | undefined;
}

export interface DesiredPlane {
  packageName: string;
  packageBody: PackageBody;
  functions: DesiredFunction[];
  triggers: TriggerState[];
}

export interface ActualPlane {
  package: OwPackage | undefined;
  /** The package's actions by name (read without code). */
  actions: ReadonlyMap<string, OwAction>;
  /** Every trigger of the namespace. */
  triggers: readonly TriggerState[];
  /**
   * Why the account has no scheduled triggers (DigitalOcean's answer), when the triggers API
   * refused us: the preview is not enabled. Undefined when triggers are available.
   */
  triggersUnavailable?: string;
}

export type PlaneStepKind = 'package' | 'function' | 'trigger';
export type PlaneStepAction = 'create' | 'update' | 'replace' | 'delete' | 'noop';

export interface PlaneStep {
  kind: PlaneStepKind;
  action: PlaneStepAction;
  name: string;
  /** Names what differs, never a value (parameters and the web secret are secrets). */
  reason: string;
}

/** The package as PUT: the project's parameters, its environment as `init` parameters, our marks. */
export function expandPackage(pkg: ProjectPackage, createdNamespace: boolean): PackageBody {
  return {
    parameters: encodeParameters(pkg.parameters, pkg.environment),
    annotations: [
      ...keyVals(pkg.annotations),
      { key: ANNOTATIONS.managedBy, value: MANAGER },
      { key: ANNOTATIONS.createdNamespace, value: createdNamespace },
    ],
    publish: pkg.shared,
  };
}

/**
 * The action as PUT, with the annotations the functions deployer sets (web-export, raw-http,
 * final, require-whisk-auth from webSecure) and the code's digest.
 */
export function expandAction(fn: ProjectFunction, code: FunctionCode): ActionBody {
  return {
    exec: { kind: fn.runtime, code: code.zipBase64, binary: true, ...(fn.main ? { main: fn.main } : {}) },
    parameters: encodeParameters(fn.parameters, fn.environment),
    annotations: [
      ...keyVals(fn.annotations),
      { key: 'web-export', value: fn.web !== false },
      { key: 'raw-http', value: fn.web === 'raw' },
      { key: 'final', value: true },
      { key: 'require-whisk-auth', value: fn.webSecure },
      { key: ANNOTATIONS.codeSha256, value: code.digest },
    ],
    limits: { ...fn.limits } as Record<string, number>,
  };
}

export function expandTriggers(pkg: ProjectPackage): TriggerState[] {
  return pkg.functions.flatMap((fn) =>
    fn.triggers.map((t) => ({
      name: t.name,
      function: `${pkg.name}/${fn.name}`,
      cron: t.cron,
      enabled: t.enabled,
      body: t.body,
    })),
  );
}

/** The deployer's encoding: parameters first, then the environment as `init` parameters. */
export function encodeParameters(
  parameters: Record<string, unknown>,
  environment: Record<string, string>,
): KeyVal[] {
  return [
    ...keyVals(parameters),
    ...Object.entries(environment).map(([key, value]) => ({ key, value, init: true })),
  ];
}

/**
 * Pure: the steps from `actual` to `desired`. Refuses (ConflictError) to take over a package or a
 * trigger name that bootstrap did not make; functions in the package that it did not deploy are
 * left alone.
 */
export function planPlane(desired: DesiredPlane, actual: ActualPlane): PlaneStep[] {
  const pkg = desired.packageName;
  const steps: PlaneStep[] = [];
  if (actual.package === undefined) {
    steps.push({ kind: 'package', action: 'create', name: pkg, reason: 'not in the namespace' });
  } else {
    if (annotation(actual.package.annotations, ANNOTATIONS.managedBy) !== MANAGER) {
      throw new ConflictError(`The namespace already has a package "${pkg}" that base2-do did not create.`, {
        hint: `Remove it (doctl serverless undeploy --packages ${pkg}) or set OPS_NAMESPACE_LABEL to use another namespace.`,
      });
    }
    steps.push(compare('package', pkg, packageDifferences(desired.packageBody, actual.package)));
  }

  const wanted = new Set(desired.functions.map((f) => f.name));
  for (const fn of desired.functions) {
    const existing = actual.actions.get(fn.name);
    const name = `${pkg}/${fn.name}`;
    if (!existing) steps.push({ kind: 'function', action: 'create', name, reason: 'not in the package' });
    else steps.push(compare('function', name, actionDifferences(fn.body, existing)));
  }
  for (const [name, action] of actual.actions) {
    if (wanted.has(name)) continue;
    const ours = annotation(action.annotations, ANNOTATIONS.codeSha256) !== undefined;
    steps.push(
      ours
        ? { kind: 'function', action: 'delete', name: `${pkg}/${name}`, reason: 'no longer in project.yml' }
        : {
            kind: 'function',
            action: 'noop',
            name: `${pkg}/${name}`,
            reason: 'not deployed by base2-do: left alone',
          },
    );
  }
  if (actual.triggersUnavailable === undefined)
    steps.push(...planTriggers(desired.triggers, actual.triggers, pkg));
  else {
    for (const trigger of desired.triggers) {
      steps.push({ kind: 'trigger', action: 'noop', name: trigger.name, reason: UNSCHEDULED_REASON });
    }
  }
  return steps;
}

/** The reason of a trigger step on an account without scheduled triggers. */
export const UNSCHEDULED_REASON =
  'not scheduled: the account has no scheduled triggers (a DigitalOcean preview)';

function planTriggers(
  desired: readonly TriggerState[],
  actual: readonly TriggerState[],
  pkg: string,
): PlaneStep[] {
  const steps: PlaneStep[] = [];
  const byName = new Map(actual.map((t) => [t.name, t]));
  for (const trigger of desired) {
    const existing = byName.get(trigger.name);
    if (!existing) {
      steps.push({
        kind: 'trigger',
        action: 'create',
        name: trigger.name,
        reason: `runs ${trigger.function}`,
      });
      continue;
    }
    if (!isOurs(existing, pkg)) {
      throw new ConflictError(
        `The namespace already has a trigger "${trigger.name}" for ${existing.function}, outside package ${pkg}.`,
        { hint: 'Rename the trigger in project.yml or remove the other one.' },
      );
    }
    if (existing.function !== trigger.function) {
      steps.push({
        kind: 'trigger',
        action: 'replace',
        name: trigger.name,
        reason: `now runs ${trigger.function}`,
      });
      continue;
    }
    const diffs: string[] = [];
    if (existing.cron !== trigger.cron) diffs.push(`cron ${existing.cron} → ${trigger.cron}`);
    if (existing.enabled !== trigger.enabled) diffs.push(trigger.enabled ? 'enabled' : 'paused');
    if (!sameValue(existing.body ?? {}, trigger.body ?? {})) diffs.push('body changed');
    steps.push(compare('trigger', trigger.name, diffs));
  }
  const wanted = new Set(desired.map((t) => t.name));
  for (const trigger of actual) {
    if (!wanted.has(trigger.name) && isOurs(trigger, pkg)) {
      steps.push({
        kind: 'trigger',
        action: 'delete',
        name: trigger.name,
        reason: 'no longer in project.yml',
      });
    }
  }
  return steps;
}

/** Triggers of the functions in our package are ours: the package is. */
function isOurs(trigger: TriggerState, pkg: string): boolean {
  return trigger.function.startsWith(`${pkg}/`);
}

function compare(kind: PlaneStepKind, name: string, differences: string[]): PlaneStep {
  return differences.length === 0
    ? { kind, action: 'noop', name, reason: 'up to date' }
    : { kind, action: 'update', name, reason: differences.join('; ') };
}

function keyVals(dict: Record<string, unknown>): KeyVal[] {
  return Object.entries(dict).map(([key, value]) => ({ key, value }));
}
