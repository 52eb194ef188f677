/**
 * Reading what the namespace holds, and applying planned steps to it. Only these two touch the
 * namespace; the planner in between is pure.
 */
import type { DoApi } from '../../lib/do/index.js';
import {
  createTrigger,
  deleteTrigger,
  isTriggersUnavailable,
  readTriggers,
  updateTrigger,
} from './namespace.js';
import type { OpenWhisk, OwAction } from './openwhisk.js';
import {
  type ActualPlane,
  type DesiredPlane,
  type PlaneStep,
  type TriggerState,
  UNSCHEDULED_REASON,
} from './plan.js';

export interface PlaneAccess {
  api: DoApi;
  ow: OpenWhisk;
  /** `fn-<uuid>`. */
  namespace: string;
}

/**
 * The package, its actions (those it lists and those we want), and the namespace's triggers (or
 * why the account has none).
 */
export async function readPlane(
  access: PlaneAccess,
  packageName: string,
  wanted: readonly string[],
): Promise<ActualPlane> {
  const [pkg, schedule] = await Promise.all([
    access.ow.getPackage(packageName),
    readTriggers(access.api, access.namespace),
  ]);
  const actions = new Map<string, OwAction>();
  if (pkg) {
    const names = [...new Set([...pkg.actions.map((a) => a.name), ...wanted])];
    const read = await Promise.all(names.map((name) => access.ow.getAction(packageName, name)));
    read.forEach((action, i) => {
      if (action) actions.set(names[i]!, action);
    });
  }
  return schedule.available
    ? { package: pkg, actions, triggers: schedule.triggers }
    : { package: pkg, actions, triggers: [], triggersUnavailable: schedule.reason };
}

export interface AppliedPlane {
  /** Triggers the account refused to create (no scheduled triggers preview), and its words. */
  unscheduled: { triggers: TriggerState[]; reason: string } | undefined;
}

/**
 * Applies the steps in dependency order: triggers that go or move first (nothing may point at a
 * function being removed), then the package, the functions (in parallel), removed functions, and
 * finally new or changed triggers (they need their functions). A trigger create the account refuses
 * for want of the triggers preview leaves it unscheduled rather than failing what is deployed.
 */
export async function applyPlane(
  access: PlaneAccess,
  desired: DesiredPlane,
  steps: readonly PlaneStep[],
  onStep: (step: PlaneStep) => void,
): Promise<AppliedPlane> {
  const pending = (kind: PlaneStep['kind'], ...actions: PlaneStep['action'][]) =>
    steps.filter((s) => s.kind === kind && actions.includes(s.action));
  const trigger = (name: string) => desired.triggers.find((t) => t.name === name)!;
  const functionName = (step: PlaneStep) => step.name.slice(desired.packageName.length + 1);

  for (const step of pending('trigger', 'delete', 'replace')) {
    await deleteTrigger(access.api, access.namespace, step.name);
    if (step.action === 'delete') onStep(step);
  }
  for (const step of pending('package', 'create', 'update')) {
    await access.ow.putPackage(desired.packageName, desired.packageBody);
    onStep(step);
  }
  await Promise.all(
    pending('function', 'create', 'update').map(async (step) => {
      const fn = desired.functions.find((f) => f.name === functionName(step))!;
      await access.ow.putAction(desired.packageName, fn.name, fn.body);
      onStep(step);
    }),
  );
  for (const step of pending('function', 'delete')) {
    await access.ow.deleteAction(desired.packageName, functionName(step));
    onStep(step);
  }
  let refusal: string | undefined;
  const unscheduled: TriggerState[] = [];
  for (const step of pending('trigger', 'create', 'replace')) {
    if (refusal === undefined) {
      try {
        await createTrigger(access.api, access.namespace, trigger(step.name));
        onStep(step);
        continue;
      } catch (error) {
        if (!isTriggersUnavailable(error)) throw error;
        refusal = error.message;
      }
    }
    unscheduled.push(trigger(step.name));
    onStep({ ...step, action: 'noop', reason: UNSCHEDULED_REASON });
  }
  for (const step of pending('trigger', 'update')) {
    await updateTrigger(access.api, access.namespace, trigger(step.name));
    onStep(step);
  }
  return { unscheduled: refusal === undefined ? undefined : { triggers: unscheduled, reason: refusal } };
}
