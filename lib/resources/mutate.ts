import { isMutating } from '../do/call-log.js';
import { ApiError, isNotFound, toToolError } from '../do/errors.js';
import { InterruptedError, type ToolError } from '../errors.js';
import { isInterrupted } from '../interrupt.js';
import type { OpContext } from '../ops/types.js';
import type { AppliedStep, ResourceKind } from './types.js';

export interface MutationTarget {
  /** A resource kind, or `lock`: the deployment lock (lib/lock) is audited like any change. */
  kind: ResourceKind | 'lock';
  name: string;
  /** create, update, delete, resize, power_off, … */
  action: string;
}

export interface MutateOptions {
  /**
   * Says when a refusal is the expected "no" of one of DigitalOcean's atomic primitives (the lock
   * key registered already, lib/lock): the detail to audit it with as `skipped` — nothing was
   * changed and nothing went wrong — rather than `failed`. The error is thrown all the same.
   */
  refusal?: (error: ToolError) => string | undefined;
}

/**
 * Every mutating DigitalOcean call goes through here: one audit record per call, with the
 * request id DigitalOcean gave it, and a failure turned into one clear ApiError sentence.
 */
export async function mutate<T>(
  ctx: OpContext,
  deployment: string,
  target: MutationTarget,
  call: () => Promise<T>,
  options: MutateOptions = {},
): Promise<T> {
  const resource = `${target.kind.replace('_', ' ')} ${target.name}`;
  // Interrupted: no new change starts; a held lock may still be renewed and given back.
  if (
    isInterrupted(ctx) &&
    !(target.kind === 'lock' && (target.action === 'release' || target.action === 'renew'))
  ) {
    throw new InterruptedError(
      `${target.action} ${resource} was not started: the operation was interrupted.`,
    );
  }
  try {
    const { value, entries } = await ctx.api.calls.scoped(call);
    const last = [...entries].reverse().find((entry) => isMutating(entry.method));
    ctx.audit.record({
      op: ctx.op,
      deployment,
      resource,
      action: target.action,
      outcome: 'ok',
      ...(last?.requestId ? { request_id: last.requestId } : {}),
    });
    return value;
  } catch (raw) {
    const error = toToolError(raw, { action: target.action, resource });
    const refused = options.refusal?.(error);
    ctx.audit.record({
      op: ctx.op,
      deployment,
      resource,
      action: target.action,
      outcome: refused === undefined ? 'failed' : 'skipped',
      ...(error instanceof ApiError && error.requestId ? { request_id: error.requestId } : {}),
      detail: refused ?? error.message,
    });
    throw error;
  }
}

/**
 * An audited delete where a 404 means the resource is already gone (a retried teardown, a
 * resource removed by hand): that is success, said in the step's detail.
 */
export async function deleteIdempotently(
  ctx: OpContext,
  deployment: string,
  step: { kind: ResourceKind; name: string; id: string | undefined },
  call: () => Promise<unknown>,
): Promise<AppliedStep> {
  const gone = await mutate(
    ctx,
    deployment,
    { kind: step.kind, name: step.name, action: 'delete' },
    async () => {
      try {
        await call();
        return false;
      } catch (error) {
        if (isNotFound(error)) return true;
        throw error;
      }
    },
  );
  return {
    kind: step.kind,
    action: 'delete',
    name: step.name,
    ...(step.id === undefined ? {} : { id: step.id }),
    outcome: 'ok',
    ...(gone ? { detail: 'already gone' } : {}),
  };
}
