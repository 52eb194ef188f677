/**
 * Has the current generation settled? First DigitalOcean's view (every droplet `active` with a
 * public IPv4), then the droplet's own: its health URL answers at all. On DigitalOcean a droplet
 * turns active before cloud-init has installed Docker and started the container, so without the
 * second stage verification would run minutes too early; any answer counts here, verify judges it.
 */
import type { OpContext } from '../../ops/types.js';
import type { Readiness } from '../types.js';
import { healthUrl, probeFailure, probeHealth } from './health-probe.js';
import type { DesiredDroplets, DropletState } from './model.js';
import { oldestByName } from './plan.js';
import { listOwned } from './read.js';

/** A droplet's typical boot (`new` → `active`) on DigitalOcean. */
export const TYPICAL_BOOT_MS = 35_000;
/** How long after creation a droplet's service may take to answer (apt, Docker, image pull). */
export const SERVICE_START_MS = 10 * 60_000;
const PROBE_TIMEOUT_MS = 2_000;

const clamp = (value: number, low: number, high: number) => Math.min(high, Math.max(low, value));

/**
 * Pure: DigitalOcean's side of readiness for `names`, from the owned droplets and the time; with
 * `ipv6`, a droplet is ready once its public IPv6 address shows too (DNS needs it).
 */
export function bootReadiness(
  owned: readonly DropletState[],
  names: readonly string[],
  now: number,
  ipv6 = false,
): Readiness {
  const byName = oldestByName(owned);
  const missing = names.filter((n) => !byName.has(n));
  if (missing.length > 0) {
    return { state: 'failed', detail: `droplet(s) ${missing.join(', ')} do not exist: run deploy again` };
  }
  const droplets = names.map((n) => byName.get(n)!);
  const off = droplets.filter((d) => d.status === 'off' && !d.locked);
  if (off.length > 0) {
    return {
      state: 'failed',
      detail: `droplet(s) ${off.map((d) => d.name).join(', ')} are powered off: run deploy again to power them on`,
    };
  }
  const booting = droplets.filter((d) => d.status !== 'active' || !d.publicIpv4);
  const noIpv6 = ipv6 ? droplets.filter((d) => !booting.includes(d) && !d.publicIpv6) : [];
  // Neither on nor being turned on: waiting would never end (maintain, say, does not enable it).
  const neverIpv6 = noIpv6.filter((d) => d.ipv6 !== true && !d.locked);
  if (neverIpv6.length > 0) {
    return {
      state: 'failed',
      detail: `droplet(s) ${neverIpv6.map((d) => d.name).join(', ')} have no IPv6: run deploy again to enable it`,
    };
  }
  if (booting.length + noIpv6.length === 0) return { state: 'ready' };
  if (booting.length === 0) {
    return {
      state: 'pending',
      detail: `waiting for the IPv6 address of ${noIpv6.map((d) => d.name).join(', ')}`,
      fraction: (droplets.length - noIpv6.length) / droplets.length,
    };
  }
  const active = droplets.length - booting.length;
  const etas = booting.flatMap((d) =>
    d.createdAt === undefined ? [] : [clamp(d.createdAt + TYPICAL_BOOT_MS - now, 0, TYPICAL_BOOT_MS)],
  );
  return {
    state: 'pending',
    detail: `${active} of ${droplets.length} droplets active`,
    fraction: active / droplets.length,
    ...(etas.length === booting.length ? { etaMs: Math.max(...etas) } : {}),
  };
}

async function serviceReadiness(
  ctx: OpContext,
  desired: DesiredDroplets,
  droplets: DropletState[],
): Promise<Readiness> {
  const { port, path } = desired.health;
  const silent = await Promise.all(
    droplets.map(async (d) => {
      const url = healthUrl(d.publicIpv4!, port, path);
      try {
        await probeHealth(url, PROBE_TIMEOUT_MS, ctx.deadline.signal);
        return undefined;
      } catch (error) {
        return { droplet: d, url, why: probeFailure(error) };
      }
    }),
  );
  const quiet = silent.filter((s) => s !== undefined);
  if (quiet.length === 0) return { state: 'ready' };
  const now = ctx.clock.now();
  const late = quiet.filter(
    (q) => q.droplet.createdAt !== undefined && now - q.droplet.createdAt > SERVICE_START_MS,
  );
  // Probes the deadline cut short say nothing about the droplets: the next call checks again.
  if (late.length > 0 && !ctx.deadline.expired()) {
    return {
      state: 'failed',
      detail: late.map((q) => `${q.url} (${q.droplet.name}) still does not answer: ${q.why}`).join('; '),
    };
  }
  return {
    state: 'pending',
    detail: `waiting for ${quiet.map((q) => q.droplet.name).join(', ')} to answer on ${port}${path}`,
    fraction: (droplets.length - quiet.length) / droplets.length,
  };
}

export async function dropletsReadiness(ctx: OpContext, desired: DesiredDroplets): Promise<Readiness> {
  const owned = await listOwned(ctx, desired.slug);
  const boot = bootReadiness(owned, desired.names, ctx.clock.now(), desired.ipv6);
  if (boot.state !== 'ready') return boot;
  const byName = oldestByName(owned);
  return serviceReadiness(
    ctx,
    desired,
    desired.names.map((n) => byName.get(n)!),
  );
}
