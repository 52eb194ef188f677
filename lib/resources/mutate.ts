import { isMutating } from '../do/call-log.js';
import { ApiError, toToolError } from '../do/errors.js';
import type { OpContext } from '../ops/types.js';
import type { ResourceKind } from './types.js';

export interface MutationTarget {
  /** A resource kind, or `lock`: the deployment lock (lib/lock) is audited like any change. */
  kind: ResourceKind | 'lock';
  name: string;
  /** create, update, delete, resize, power_off, … */
  action: string;
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
): Promise<T> {
  const resource = `${target.kind.replace('_', ' ')} ${target.name}`;
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
    ctx.audit.record({
      op: ctx.op,
      deployment,
      resource,
      action: target.action,
      outcome: 'failed',
      ...(error instanceof ApiError && error.requestId ? { request_id: error.requestId } : {}),
      detail: error.message,
    });
    throw error;
  }
}
