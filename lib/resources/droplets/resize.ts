/**
 * A resize is three droplet actions, each waited for through GET /v2/actions/:id: power off,
 * resize (CPU and RAM only — the disk stays, so it can be resized back down), power on. Each pass
 * starts from the droplet's actual state, so a resize cut short by the deadline (leaving it off,
 * say) is finished by the next deploy.
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

/** Pure: the next action towards `size` and running, or undefined when there. */
export function nextResizeAction(
  droplet: Pick<DropletState, 'status' | 'size'>,
  size: string,
): ResizeAction | undefined {
  if (droplet.status === 'active') return droplet.size === size ? undefined : 'power_off';
  if (droplet.status === 'off') return droplet.size === size ? 'power_on' : 'resize';
  throw new OperationError(`The droplet is ${droplet.status}, so it cannot be resized.`);
}

async function getDroplet(ctx: OpContext, id: number, name: string): Promise<DropletState> {
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

/** Brings one droplet to `size` and running; returns one entry per action it started. */
export async function resizeDroplet(
  ctx: OpContext,
  slug: string,
  target: { name: string; id: number; size: string },
): Promise<AppliedStep[]> {
  const { name, id, size } = target;
  const applied: AppliedStep[] = [];
  const entry = (outcome: AppliedStep['outcome'], detail: string): AppliedStep => ({
    kind: 'droplet',
    action: 'update',
    name,
    id: String(id),
    outcome,
    detail,
  });
  // power off, resize, power on — and one more pass to see it is done.
  for (let pass = 0; pass < 4; pass++) {
    let droplet: DropletState | undefined;
    const idle = await waitFor(ctx, `droplet ${name}`, async () => {
      droplet = await getDroplet(ctx, id, name);
      const busy = droplet.status === 'new' || droplet.locked;
      return busy ? { state: 'pending', detail: `${name} is busy (${droplet.status})` } : { state: 'ready' };
    });
    if (idle.state !== 'ready' || !droplet) {
      applied.push(
        entry('skipped', `still busy when time ran out: run deploy again to finish resizing to ${size}`),
      );
      return applied;
    }
    const next = nextResizeAction(droplet, size);
    if (!next) return applied;
    const started = await mutate(ctx, slug, { kind: 'droplet', name, action: next }, () =>
      ctx.api.client.v2.droplets.byDroplet_id(id).actions.post(body(next, size)),
    );
    const what = `${next.replace('_', ' ')} of droplet ${name}`;
    applied.push(entry('ok', next === 'resize' ? `resize to ${size}` : next.replace('_', ' ')));
    const actionId = started?.action?.id;
    if (actionId === undefined || actionId === null) continue;
    const done = await waitFor(ctx, what, () => actionState(ctx, actionId, what));
    if (done.state === 'failed')
      throw new OperationError(`${done.detail}.`, { hint: 'Run deploy again to retry.' });
    if (done.state === 'pending') {
      applied.push(entry('skipped', `${what} still running when time ran out: run deploy again`));
      return applied;
    }
  }
  throw new OperationError(`Droplet ${name} did not reach size ${size} and running after a full resize.`, {
    hint: 'Check the droplet in the control panel, then run deploy again.',
  });
}
