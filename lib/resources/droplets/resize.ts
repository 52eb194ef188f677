/**
 * A resize is three droplet actions, each waited for through GET /v2/actions/:id: power off,
 * resize (CPU and RAM only — the disk stays, so it can be resized back down), power on. Each pass
 * starts from the droplet's actual state, so a resize cut short by the deadline (leaving it off,
 * say) is finished by the next deploy. One droplet at a time: rolling-resize.ts.
 */
import type { Droplet_action, Droplet_action_resize } from '@digitalocean/dots';
import { toToolError } from '../../do/index.js';
import { OperationError } from '../../errors.js';
import type { OpContext } from '../../ops/types.js';
import { mutate } from '../mutate.js';
import type { AppliedStep, Readiness } from '../types.js';
import { waitFor } from '../wait.js';
import { type DropletState, flattenDroplet } from './model.js';

export type ResizeAction = 'power_off' | 'resize' | 'power_on';

export interface ResizeTarget {
  name: string;
  id: number;
  size: string;
}

/** Pure: the next action towards `size` and running, or undefined when there. */
export function nextResizeAction(
  droplet: Pick<DropletState, 'status' | 'size'>,
  size: string,
): ResizeAction | undefined {
  if (droplet.status === 'active') return droplet.size === size ? undefined : 'power_off';
  if (droplet.status === 'off') return droplet.size === size ? 'power_on' : 'resize';
  throw new OperationError(`The droplet is ${droplet.status}, so it cannot be resized.`);
}

export async function getDroplet(ctx: OpContext, id: number, name: string): Promise<DropletState> {
  try {
    const answer = await ctx.api.client.v2.droplets.byDroplet_id(id).get();
    if (!answer?.droplet) throw new OperationError(`DigitalOcean answered without droplet ${name}.`);
    return flattenDroplet(answer.droplet);
  } catch (error) {
    throw toToolError(error, { action: 'read', resource: `droplet ${name}` });
  }
}

async function actionState(ctx: OpContext, actionId: number, what: string): Promise<Readiness> {
  let status: string | undefined;
  try {
    status = (await ctx.api.client.v2.actions.byAction_id(actionId).get())?.action?.status ?? undefined;
  } catch (error) {
    throw toToolError(error, { action: 'read the progress of', resource: what });
  }
  if (status === 'completed') return { state: 'ready' };
  if (status === 'errored')
    return { state: 'failed', detail: `${what} failed on DigitalOcean's side (action ${actionId})` };
  return { state: 'pending', detail: `${what}: ${status ?? 'unknown'}` };
}

function body(action: ResizeAction, size: string): Droplet_action | Droplet_action_resize {
  // Without `disk` the resize changes CPU and RAM only: a disk can never shrink back.
  return (action === 'resize' ? { type: action, size, disk: false } : { type: action }) as Droplet_action;
}

/** The droplet once no action runs on it (only one can), or undefined when time ran out first. */
export async function whenIdle(
  ctx: OpContext,
  target: Pick<ResizeTarget, 'name' | 'id'>,
): Promise<DropletState | undefined> {
  let droplet: DropletState | undefined;
  const idle = await waitFor(ctx, `droplet ${target.name}`, async () => {
    droplet = await getDroplet(ctx, target.id, target.name);
    const busy = droplet.status === 'new' || droplet.locked;
    return busy
      ? { state: 'pending', detail: `${target.name} is busy (${droplet.status})` }
      : { state: 'ready' };
  });
  return idle.state === 'ready' ? droplet : undefined;
}

/** Starts a droplet action (audited as its type) and waits for it: ready, or pending when time ran out. */
export async function runDropletAction(
  ctx: OpContext,
  slug: string,
  target: Pick<ResizeTarget, 'name' | 'id'>,
  request: Droplet_action | Droplet_action_resize,
): Promise<Readiness> {
  const { name, id } = target;
  const action = String(request.type);
  const started = await mutate(ctx, slug, { kind: 'droplet', name, action }, () =>
    ctx.api.client.v2.droplets.byDroplet_id(id).actions.post(request),
  );
  const actionId = started?.action?.id;
  if (actionId === undefined || actionId === null) return { state: 'ready' };
  const what = `${action.replace('_', ' ')} of droplet ${name}`;
  const done = await waitFor(ctx, what, () => actionState(ctx, actionId, what));
  if (done.state === 'failed')
    throw new OperationError(`${done.detail}.`, { hint: 'Run deploy again to retry.' });
  return done;
}

const act = (ctx: OpContext, slug: string, target: ResizeTarget, action: ResizeAction) =>
  runDropletAction(ctx, slug, target, body(action, target.size));

/** One droplet update done (or left for the next call) in place: a resize action, enabling IPv6. */
export const updateEntry = (
  target: Pick<ResizeTarget, 'name' | 'id'>,
  outcome: AppliedStep['outcome'],
  detail: string,
): AppliedStep => ({
  kind: 'droplet',
  action: 'update',
  name: target.name,
  id: String(target.id),
  outcome,
  detail,
});

/** Brings one droplet to `size` and running; returns one entry per action it started. */
export async function resizeDroplet(
  ctx: OpContext,
  slug: string,
  target: ResizeTarget,
): Promise<AppliedStep[]> {
  const { name, size } = target;
  const applied: AppliedStep[] = [];
  // power off, resize, power on — and one more pass to see it is done.
  for (let pass = 0; pass < 4; pass++) {
    const droplet = await whenIdle(ctx, target);
    if (!droplet) {
      applied.push(
        updateEntry(
          target,
          'skipped',
          `still busy when time ran out: run deploy again to finish resizing to ${size}`,
        ),
      );
      return applied;
    }
    const next = nextResizeAction(droplet, size);
    if (!next) return applied;
    const done = await act(ctx, slug, target, next);
    applied.push(updateEntry(target, 'ok', next === 'resize' ? `resize to ${size}` : next.replace('_', ' ')));
    if (done.state === 'pending') {
      const what = `${next.replace('_', ' ')} of droplet ${name}`;
      applied.push(
        updateEntry(target, 'skipped', `${what} still running when time ran out: run deploy again`),
      );
      return applied;
    }
  }
  throw new OperationError(`Droplet ${name} did not reach size ${size} and running after a full resize.`, {
    hint: 'Check the droplet in the control panel, then run deploy again.',
  });
}

/**
 * After a failed resize: once the droplet is idle, powers it on if it is off, at whatever size it
 * has. Best effort, so it never throws; says in a few words how the droplet was left.
 */
export async function powerOnAgain(ctx: OpContext, slug: string, target: ResizeTarget): Promise<string> {
  try {
    const droplet = await whenIdle(ctx, target);
    if (!droplet) return `${target.name} was still busy when time ran out, so it may still be off`;
    if (droplet.status !== 'off') return `${target.name} is ${droplet.status}`;
    const done = await act(ctx, slug, { ...target, size: droplet.size }, 'power_on');
    return done.state === 'ready'
      ? `${target.name} was powered on again`
      : `${target.name} is being powered on again`;
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    return `${target.name} could not be powered on again (${why})`;
  }
}
