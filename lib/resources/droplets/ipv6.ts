/**
 * IPv6 for droplets that run already: DigitalOcean's enable_ipv6 action. The droplet keeps running
 * and keeps its name, so nothing is replaced and DNS only gains addresses. Droplets created while
 * the deployment wants IPv6 get it in the create request instead (model.ts).
 */
import type { Droplet_action } from '@digitalocean/dots';
import type { OpContext } from '../../ops/types.js';
import { settleAll } from '../settle.js';
import type { AppliedStep } from '../types.js';
import { runDropletAction, updateEntry, whenIdle } from './resize.js';

export interface Ipv6Target {
  name: string;
  id: number;
}

/** Enables IPv6 on one droplet once no other action runs on it; already on is done. */
export async function enableIpv6(ctx: OpContext, slug: string, target: Ipv6Target): Promise<AppliedStep> {
  const droplet = await whenIdle(ctx, target);
  if (!droplet) {
    return updateEntry(target, 'skipped', 'still busy when time ran out: run deploy again to enable IPv6');
  }
  if (droplet.ipv6) return updateEntry(target, 'ok', 'IPv6 was on already');
  const request = { type: 'enable_ipv6' } as Droplet_action;
  const done = await runDropletAction(ctx, slug, target, request);
  if (done.notStarted)
    return updateEntry(target, 'skipped', 'still busy when time ran out: run deploy again to enable IPv6');
  // Still running when time ran out: readiness waits for the address, so the next call finishes it.
  return updateEntry(target, 'ok', done.state === 'ready' ? 'IPv6 on' : 'IPv6 being enabled');
}

/** One droplet's action does not hold up another's: every target at once. */
export async function enableIpv6All(
  ctx: OpContext,
  slug: string,
  targets: readonly Ipv6Target[],
): Promise<AppliedStep[]> {
  return settleAll(targets.map(async (target) => [await enableIpv6(ctx, slug, target)]));
}
