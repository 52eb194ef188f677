/**
 * Resizes roll, one droplet at a time, like any rolling update: a resize powers a droplet off, so
 * running them side by side would take the whole service down, and a failure part-way would leave
 * it down until the next deploy. Before a droplet goes down another must be answering; after it
 * is back it must answer before the next goes. A failure stops the roll: the failed droplet is
 * powered on again (best effort, audited) and the rest are left running as they were.
 */
import { isToolError, OperationError } from '../../errors.js';
import type { OpContext } from '../../ops/types.js';
import type { AppliedStep, Readiness } from '../types.js';
import { waitFor } from '../wait.js';
import type { DropletState } from './model.js';
import { listOwned } from './read.js';
import { SERVICE_START_MS } from './readiness.js';
import { powerOnAgain, type ResizeMemory, type ResizeTarget, resizeDroplet } from './resize.js';
import { type Health, safeToTakeDown, servingAgain } from './serving.js';

const MINUTES = SERVICE_START_MS / 60_000;
const HINT = 'Run deploy again to continue the rolling resize, one droplet at a time.';

/** Pure: droplets that are not running go first — resizing them takes nothing down. */
export function rollOrder(targets: readonly ResizeTarget[], owned: readonly DropletState[]): ResizeTarget[] {
  const running = new Set(owned.filter((d) => d.status === 'active').map((d) => d.id));
  return [...targets.filter((x) => !running.has(x.id)), ...targets.filter((x) => running.has(x.id))];
}

const names = (targets: readonly ResizeTarget[]) => targets.map((x) => x.name).join(', ');

/** Pure: what happened to every droplet of the roll, for the error that stops it. */
export function rollFailure(
  failed: ResizeTarget,
  why: string,
  done: readonly ResizeTarget[],
  rest: readonly ResizeTarget[],
  state?: string,
): string {
  const parts = [
    ...(state ? [state] : []),
    ...(done.length > 0 ? [`${names(done)} resized and serving`] : []),
    rest.length > 0 ? `${names(rest)} not touched, still running as before` : 'no other droplet was touched',
  ];
  return `Resizing droplet ${failed.name} to ${failed.size} failed: ${why.replace(/\.$/, '')}. ${parts.join('; ')}.`;
}

/** Waits like waitFor, but a wait still pending after SERVICE_START_MS has failed. */
async function waitBounded(
  ctx: OpContext,
  what: string,
  check: () => Promise<Readiness>,
): Promise<Readiness> {
  const started = ctx.clock.now();
  return waitFor(ctx, what, async () => {
    const state = await check();
    if (state.state !== 'pending' || ctx.clock.now() - started < SERVICE_START_MS) return state;
    return { state: 'failed', detail: `${state.detail} (still, after ${MINUTES} minutes)` };
  });
}

const skipped = (x: ResizeTarget, why: string): AppliedStep => ({
  kind: 'droplet',
  action: 'update',
  name: x.name,
  id: String(x.id),
  outcome: 'skipped',
  detail: `not resized to ${x.size} yet: ${why}; run deploy again`,
});

type Roll = { done: readonly ResizeTarget[]; rest: readonly ResizeTarget[] };

const stopped = (target: ResizeTarget, why: string, roll: Roll, state: string, cause?: unknown) =>
  new OperationError(rollFailure(target, why, roll.done, roll.rest, state), {
    hint: HINT,
    ...(cause === undefined ? {} : { cause }),
  });

/** Resizes one droplet; on a failure powers it on again, then throws what became of every droplet. */
async function resizeOrRecover(
  ctx: OpContext,
  slug: string,
  target: ResizeTarget,
  roll: Roll,
): Promise<AppliedStep[]> {
  // What the resize's completed actions showed, so the recovery does not go by a lagging status.
  const memory: ResizeMemory = { known: {} };
  try {
    return await resizeDroplet(ctx, slug, target, memory);
  } catch (error) {
    const state = await powerOnAgain(ctx, slug, target, memory);
    if (!isToolError(error)) throw error;
    throw stopped(target, error.message, roll, state, error);
  }
}

/** Resizes `targets` one at a time; returns one entry per action, and one per droplet left for later. */
export async function rollResizes(
  ctx: OpContext,
  slug: string,
  targets: readonly ResizeTarget[],
  health: Health,
): Promise<AppliedStep[]> {
  const owned = await listOwned(ctx, slug);
  const order = rollOrder(targets, owned);
  const applied: AppliedStep[] = [];
  const done: ResizeTarget[] = [];
  for (const [i, target] of order.entries()) {
    const roll = { done: [...done], rest: order.slice(i + 1) };
    const leave = (why: string, left: readonly ResizeTarget[]) => [
      ...applied,
      ...left.map((x) => skipped(x, `time ran out while ${why}`)),
    ];
    const gate = await waitBounded(ctx, `before taking ${target.name} down`, () =>
      safeToTakeDown(ctx, slug, target, health),
    );
    if (gate.state === 'pending') return leave(gate.detail, [target, ...roll.rest]);
    if (gate.state === 'failed') throw stopped(target, gate.detail, roll, `${target.name} not touched`);

    const resize = owned.find((d) => d.id === target.id)?.size !== target.size;
    ctx.progress({
      step: `${resize ? 'resizing' : 'powering on'} droplet ${target.name}`,
      detail: `${i + 1} of ${order.length}, to ${target.size}`,
    });
    const steps = await resizeOrRecover(ctx, slug, target, roll);
    applied.push(...steps);
    if (steps.some((s) => s.outcome === 'skipped')) return leave(`${target.name} was resized`, roll.rest);

    const back = await waitBounded(ctx, `droplet ${target.name} serving again`, () =>
      servingAgain(ctx, target, health),
    );
    if (back.state === 'pending') return leave(back.detail, roll.rest);
    if (back.state === 'failed')
      throw stopped(target, back.detail, roll, `${target.name} runs at ${target.size}`);
    done.push(target);
  }
  return applied;
}
