/**
 * A resize is three droplet actions, each waited for through GET /v2/actions/:id: power off,
 * resize (CPU and RAM only — the disk stays, so it can be resized back down), power on. Each pass
 * starts from the droplet's actual state, so a resize cut short by the deadline (leaving it off,
 * say) is finished by the next deploy; what the completed actions showed is taken over a status
 * that lags behind them (resize-steps.ts). One droplet at a time: rolling-resize.ts.
 */
import type { Droplet_action, Droplet_action_resize } from '@digitalocean/dots';
import { ApiError, toToolError } from '../../do/index.js';
import { OperationError } from '../../errors.js';
import type { OpContext } from '../../ops/types.js';
import { mutate } from '../mutate.js';
import type { AppliedStep, Readiness } from '../types.js';
import { waitFor } from '../wait.js';
import { type DropletState, flattenDroplet } from './model.js';
import {
  isAlreadyOff,
  isPendingEvent,
  nextResizeAction,
  type Outcomes,
  outcomeOf,
  type ResizeAction,
  reconcile,
} from './resize-steps.js';

export { nextResizeAction, type ResizeAction } from './resize-steps.js';

export interface ResizeTarget {
  name: string;
  id: number;
  size: string;
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

/** The action DigitalOcean started, or `busy` when another one still ran when time ran out. */
type Started = { actionId: number | undefined } | 'busy';

/**
 * Posts a droplet action (audited as its type). While another action runs on the droplet,
 * DigitalOcean refuses with "Droplet already has a pending event." — which the droplet's `locked`
 * flag does not announce — so that refusal is waited out and the action posted again, as
 * Terraform's provider does, until the deadline.
 */
async function startAction(
  ctx: OpContext,
  slug: string,
  target: Pick<ResizeTarget, 'name' | 'id'>,
  request: Droplet_action | Droplet_action_resize,
): Promise<Started> {
  const { name, id } = target;
  const action = String(request.type);
  let actionId: number | undefined;
  let refused: unknown;
  const posted = await waitFor(ctx, `${action.replace('_', ' ')} of droplet ${name}`, async () => {
    try {
      const started = await mutate(ctx, slug, { kind: 'droplet', name, action }, () =>
        ctx.api.client.v2.droplets.byDroplet_id(id).actions.post(request),
      );
      actionId = started?.action?.id ?? undefined;
      return { state: 'ready' };
    } catch (error) {
      if (error instanceof ApiError && error.status === 422 && isPendingEvent(error.message))
        return { state: 'pending', detail: `${name} is busy with another action` };
      // Anything else ends it, an unclear failure too: the action may have started, and posting
      // it again blindly could run it twice.
      refused = error;
      return { state: 'failed', detail: 'refused' };
    }
  });
  if (posted.state === 'failed') throw refused;
  return posted.state === 'ready' ? { actionId } : 'busy';
}

/**
 * Starts a droplet action and waits for it: ready, or pending when time ran out — with
 * `notStarted` when another action still held the droplet then, so this one was never posted.
 */
export async function runDropletAction(
  ctx: OpContext,
  slug: string,
  target: Pick<ResizeTarget, 'name' | 'id'>,
  request: Droplet_action | Droplet_action_resize,
): Promise<Readiness & { notStarted?: true }> {
  const what = `${String(request.type).replace('_', ' ')} of droplet ${target.name}`;
  const started = await startAction(ctx, slug, target, request);
  if (started === 'busy')
    return {
      state: 'pending',
      detail: `${target.name} was still busy with another action`,
      notStarted: true,
    };
  const { actionId } = started;
  if (actionId === undefined) return { state: 'ready' };
  const done = await waitFor(ctx, what, () => actionState(ctx, actionId, what));
  if (done.state === 'failed')
    throw new OperationError(`${done.detail}.`, { hint: 'Run deploy again to retry.' });
  return done;
}

/**
 * One resize action. A power off DigitalOcean refuses as "already powered off" has what it was
 * for (Terraform's provider ignores exactly that refusal before a resize): the droplet is off.
 */
async function act(
  ctx: OpContext,
  slug: string,
  target: ResizeTarget,
  action: ResizeAction,
): Promise<Readiness & { already?: true; notStarted?: true }> {
  try {
    return await runDropletAction(ctx, slug, target, body(action, target.size));
  } catch (error) {
    if (
      action === 'power_off' &&
      error instanceof ApiError &&
      error.status === 422 &&
      isAlreadyOff(error.message)
    )
      return { state: 'ready', already: true };
    throw error;
  }
}

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

const words = (action: ResizeAction, size: string) =>
  action === 'resize' ? `resize to ${size}` : action.replace('_', ' ');

/** What a resize learnt from the actions it completed; shared with the recovery after a failure. */
export interface ResizeMemory {
  known: Outcomes;
}

/**
 * Brings one droplet to `size` and running; returns one entry per action it started. `memory`
 * keeps what its completed actions showed, for `powerOnAgain` when it fails part-way.
 */
export async function resizeDroplet(
  ctx: OpContext,
  slug: string,
  target: ResizeTarget,
  memory: ResizeMemory = { known: {} },
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
    const seen = reconcile(droplet, memory.known);
    memory.known = seen.known;
    const next = nextResizeAction(seen.view, size);
    if (!next) return applied;
    const done = await act(ctx, slug, target, next);
    const what = `${words(next, size)} of droplet ${name}`;
    if (done.notStarted) {
      const why = `${what} not started: another action still ran when time ran out; run deploy again`;
      applied.push(updateEntry(target, 'skipped', why));
      return applied;
    }
    applied.push(
      updateEntry(target, 'ok', done.already ? 'power off: it was off already' : words(next, size)),
    );
    if (done.state === 'pending') {
      applied.push(
        updateEntry(target, 'skipped', `${what} still running when time ran out: run deploy again`),
      );
      return applied;
    }
    memory.known = { ...memory.known, ...outcomeOf(next, size) };
  }
  throw new OperationError(`Droplet ${name} did not reach size ${size} and running after a full resize.`, {
    hint: 'Check the droplet in the control panel, then run deploy again.',
  });
}

/**
 * After a failed resize: once the droplet is idle, powers it on if it is off — or if an action of
 * the resize left it off, whatever its status still says — at whatever size it has. Powering on a
 * running droplet is harmless (DigitalOcean completes it without change). Best effort, so it never
 * throws; says in a few words how the droplet was left.
 */
export async function powerOnAgain(
  ctx: OpContext,
  slug: string,
  target: ResizeTarget,
  memory: ResizeMemory = { known: {} },
): Promise<string> {
  try {
    const droplet = await whenIdle(ctx, target);
    if (!droplet) return `${target.name} was still busy when time ran out, so it may still be off`;
    const status = reconcile(droplet, memory.known).view.status;
    if (status !== 'off') return `${target.name} is ${status}`;
    const done = await act(ctx, slug, { ...target, size: droplet.size }, 'power_on');
    return done.state === 'ready'
      ? `${target.name} was powered on again`
      : `${target.name} is being powered on again`;
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    return `${target.name} could not be powered on again (${why})`;
  }
}
