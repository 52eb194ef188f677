/**
 * What a rolling resize waits for: the droplet it just resized answering again, and — before it
 * takes the next one down — another droplet of the same generation answering, so the service is
 * never left with none. Like readiness, any HTTP answer counts; verification judges it later.
 */
import type { OpContext } from '../../ops/types.js';
import type { Readiness } from '../types.js';
import { healthUrl, probeHealth } from './health-probe.js';
import type { DesiredDroplets, DropletState } from './model.js';
import { parseDropletName } from './names.js';
import { oldestByName } from './plan.js';
import { listOwned } from './read.js';
import { getDroplet, type ResizeTarget } from './resize.js';

export type Health = DesiredDroplets['health'];

const PROBE_TIMEOUT_MS = 2_000;

export const isUp = (d: DropletState): boolean => d.status === 'active' && d.publicIpv4 !== undefined;

/** Whether the droplet is up and its health URL gives any answer. */
async function answers(ctx: OpContext, d: DropletState, health: Health): Promise<boolean> {
  if (!isUp(d)) return false;
  try {
    await probeHealth(
      healthUrl(d.publicIpv4!, health.port, health.path),
      ctx.tuning.probeTimeoutMs ?? PROBE_TIMEOUT_MS,
      ctx.deadline.signal,
    );
    return true;
  } catch {
    return false;
  }
}

/** Ready once the resized droplet is active and answers on its health URL. */
export async function servingAgain(ctx: OpContext, target: ResizeTarget, health: Health): Promise<Readiness> {
  const d = await getDroplet(ctx, target.id, target.name);
  if (await answers(ctx, d, health)) return { state: 'ready' };
  const detail = isUp(d)
    ? `${target.name} does not answer on ${health.port}${health.path} yet`
    : `${target.name} is ${d.status}`;
  return { state: 'pending', detail };
}

/** Pure: the other droplets of `name`'s generation (one per name), which serve alongside it. */
export function siblings(owned: readonly DropletState[], slug: string, name: string): DropletState[] {
  const generation = parseDropletName(name, slug)?.generation;
  return [...oldestByName(owned).values()].filter(
    (d) => d.name !== name && parseDropletName(d.name, slug)?.generation === generation,
  );
}

/** Whether any of `droplets` answers: the first answer settles it. */
async function anyAnswers(
  ctx: OpContext,
  droplets: readonly DropletState[],
  health: Health,
): Promise<boolean> {
  const probes = droplets.map(async (d) => {
    if (!(await answers(ctx, d, health))) throw new Error(`${d.name} does not answer`);
  });
  if (probes.length === 0) return false;
  return Promise.any(probes).then(
    () => true,
    () => false,
  );
}

/**
 * Ready when taking `target` down leaves the service up: another droplet of its generation
 * answers, it has none (one droplet cannot be resized without a pause), or it does not answer
 * itself (there is no service to keep). Otherwise it waits, e.g. for a droplet resized by a call
 * the deadline cut short, or one still booting.
 */
export async function safeToTakeDown(
  ctx: OpContext,
  slug: string,
  target: ResizeTarget,
  health: Health,
): Promise<Readiness> {
  const owned = await listOwned(ctx, slug);
  const others = siblings(owned, slug, target.name);
  if (others.length === 0 || (await anyAnswers(ctx, others, health))) return { state: 'ready' };
  const self = owned.find((d) => d.id === target.id);
  if (!self || !(await answers(ctx, self, health))) return { state: 'ready' };
  const names = others.map((d) => d.name).join(', ');
  return {
    state: 'pending',
    detail: `${target.name} stays up until one of ${names} answers on ${health.port}${health.path}`,
  };
}
