/**
 * Has the current generation settled? First DigitalOcean's view (every droplet `active` with a
 * public IPv4), then the droplet's own: its health URL answers at all. On DigitalOcean a droplet
 * turns active before cloud-init has installed Docker and started the container, so without the
 * second stage verification would run minutes too early; any answer counts here, verify judges it.
 * Until then the port refuses connections, or gives no answer at all where the image has a host
 * firewall (the Docker 1-Click's UFW) — which is also what a cloud firewall that shuts the tool
 * out looks like. Silence is therefore not a verdict while cloud-init may still run: only a
 * droplet quiet for longer than that fails, and the message names the firewall when the
 * manifest's keeps the port from the tool.
 */
import type { Deployment } from '../../config/manifest.js';
import type { OpContext } from '../../ops/types.js';
import { describeClosed, type Exposure, portExposure } from '../firewall/exposure.js';
import type { Readiness } from '../types.js';
import { healthUrl, isSilence, probeFailure, probeHealth } from './health-probe.js';
import type { DesiredDroplets, DropletState } from './model.js';
import { oldestByName } from './plan.js';
import { listOwned } from './read.js';

/** A droplet's typical boot (`new` → `active`) on DigitalOcean. */
export const TYPICAL_BOOT_MS = 35_000;
/** How long after creation a droplet's service may take to answer (apt, Docker, image pull); tuning.serviceStartMs overrides it. */
export const SERVICE_START_MS = 10 * 60_000;
const PROBE_TIMEOUT_MS = 2_000;
/** How long a droplet must stay quiet under this operation's eyes before its age alone fails it. */
const CONFIRM_QUIET_MS = 20_000;

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

/** When this operation first saw each droplet active: how long it has waited for it, in its own time. */
const firstSeenActive = new WeakMap<OpContext, Map<number, number>>();

function activeSince(ctx: OpContext, d: DropletState): number {
  const seen = firstSeenActive.get(ctx) ?? new Map<number, number>();
  firstSeenActive.set(ctx, seen);
  const at = seen.get(d.id) ?? ctx.clock.now();
  seen.set(d.id, at);
  return at;
}

interface Quiet {
  droplet: DropletState;
  url: string;
  /** No answer at all (dropped), rather than a refusal. */
  silent: boolean;
  why: string;
}

/** Why a droplet that stays quiet past the time cloud-init may take will not answer, and what to do. */
function quietTooLong(q: Quiet, exposure: Exposure, after: string): string {
  const where = `${q.url} (${q.droplet.name})`;
  if (q.silent && !exposure.open) {
    return `${where} gave no answer at all: ${describeClosed(exposure)}. This tool cannot know its own public address: open the port to 0.0.0.0/0 in firewall.inbound, or run it from an address the rule admits`;
  }
  const cause = q.silent
    ? 'something drops the traffic (a host firewall on the droplet), or nothing was ever started on the port'
    : 'nothing listens on the port: the container did not start';
  return `${where} still does not answer ${after} after the droplet became active (${q.why}): ${cause}; read /var/log/cloud-init-output.log on the droplet (exec) to see why`;
}

async function serviceReadiness(
  ctx: OpContext,
  desired: DesiredDroplets,
  droplets: DropletState[],
  deployment: Pick<Deployment, 'slug' | 'firewall'> | undefined,
): Promise<Readiness> {
  const { port, path } = desired.health;
  const timeoutMs = ctx.tuning.probeTimeoutMs ?? PROBE_TIMEOUT_MS;
  const startMs = ctx.tuning.serviceStartMs ?? SERVICE_START_MS;
  const probes = await Promise.all(
    droplets.map(async (d): Promise<Quiet | undefined> => {
      const url = healthUrl(d.publicIpv4!, port, path);
      try {
        await probeHealth(url, timeoutMs, ctx.deadline.signal);
        return undefined;
      } catch (error) {
        return { droplet: d, url, silent: isSilence(error), why: probeFailure(error) };
      }
    }),
  );
  const quiet = probes.filter((q) => q !== undefined);
  if (quiet.length === 0) return { state: 'ready' };
  const now = ctx.clock.now();
  const exposure = deployment ? portExposure(deployment, port) : ({ open: true } as const);
  // Late by how long this operation has watched it active and quiet, or by its age on
  // DigitalOcean's clock once this operation has seen it quiet for a while too (so a call resumed
  // after a long pause, or a clock that differs from DigitalOcean's, does not fail it at once).
  const late = quiet.filter((q) => {
    const watched = now - activeSince(ctx, q.droplet);
    const age = q.droplet.createdAt === undefined ? 0 : now - q.droplet.createdAt;
    return watched > startMs || (age > startMs && watched >= Math.min(startMs, CONFIRM_QUIET_MS));
  });
  // Probes the deadline cut short say nothing about the droplets: the next call checks again.
  if (late.length > 0 && !ctx.deadline.expired()) {
    const after =
      startMs < 60_000 ? `${Math.round(startMs / 1_000)} s` : `${Math.round(startMs / 60_000)} minutes`;
    return { state: 'failed', detail: late.map((q) => quietTooLong(q, exposure, after)).join('; ') };
  }
  const dropped = quiet.filter((q) => q.silent);
  const hint =
    dropped.length > 0 && !exposure.open
      ? `; ${dropped.map((q) => q.droplet.name).join(', ')} give no answer at all, and ${describeClosed(exposure)}`
      : '';
  return {
    state: 'pending',
    detail: `waiting for ${quiet.map((q) => q.droplet.name).join(', ')} to answer on ${port}${path} (cloud-init installs Docker where the image lacks it, then pulls and starts the container)${hint}`,
    fraction: (droplets.length - quiet.length) / droplets.length,
  };
}

/**
 * Whether any of `droplets` is active, young enough to be still in cloud-init, and not answering
 * its health URL yet: maintain waits for those (as for booting ones) rather than judging them.
 */
export async function mayStillStart(
  ctx: OpContext,
  desired: DesiredDroplets,
  droplets: readonly DropletState[],
): Promise<boolean> {
  const now = ctx.clock.now();
  const startMs = ctx.tuning.serviceStartMs ?? SERVICE_START_MS;
  const young = droplets.filter(
    (d) =>
      d.status === 'active' &&
      d.publicIpv4 !== undefined &&
      (d.createdAt === undefined || now - d.createdAt < startMs),
  );
  const { port, path } = desired.health;
  const quiet = await Promise.all(
    young.map((d) =>
      probeHealth(
        healthUrl(d.publicIpv4!, port, path),
        ctx.tuning.probeTimeoutMs ?? PROBE_TIMEOUT_MS,
        ctx.deadline.signal,
      ).then(
        () => false,
        () => true,
      ),
    ),
  );
  return quiet.includes(true);
}

export async function dropletsReadiness(
  ctx: OpContext,
  desired: DesiredDroplets,
  deployment?: Pick<Deployment, 'slug' | 'firewall'>,
): Promise<Readiness> {
  const owned = await listOwned(ctx, desired.slug);
  const boot = bootReadiness(owned, desired.names, ctx.clock.now(), desired.ipv6);
  if (boot.state !== 'ready') return boot;
  const byName = oldestByName(owned);
  return serviceReadiness(
    ctx,
    desired,
    desired.names.map((n) => byName.get(n)!),
    deployment,
  );
}
