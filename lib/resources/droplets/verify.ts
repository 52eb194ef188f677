/**
 * Verification reads again and asks each droplet itself: active, with the addresses DNS needs,
 * and its health URL answering 2xx — all an application owes; the body is not read. What a
 * droplet runs is known from what the tool can read without its help: the generation in its
 * name digests the image, region, SSH key and the user_data it was created with (for the
 * cloud-init the tool writes, the template without the one-time registry credential), and
 * DigitalOcean never changes a droplet's user_data.
 */
import type { Deployment } from '../../config/manifest.js';
import type { OpContext } from '../../ops/types.js';
import { describeClosed, portExposure } from '../firewall/exposure.js';
import type { Check } from '../types.js';
import { healthUrl, isSilence, probeFailure, probeHealth } from './health-probe.js';
import type { DesiredDroplets, DropletState } from './model.js';
import { parseDropletName } from './names.js';
import { oldestByName } from './plan.js';
import { listOwned } from './read.js';

const PROBE_TIMEOUT_MS = 5_000;

const check = (name: string, ok: boolean, detail: string): Check => ({ kind: 'droplet', name, ok, detail });

/** Pure: what the name says the droplet runs, in words for the check's detail. */
export function generationDetail(desired: DesiredDroplets, name: string): string {
  const generation = parseDropletName(name, desired.slug)?.generation ?? 'unknown';
  const made =
    desired.userData.source === 'tool'
      ? `the cloud-init this tool writes (template sha256 ${desired.userData.sha256.slice(0, 12)}…, without the registry credential)`
      : `the manifest's user_data (sha256 ${desired.userData.sha256.slice(0, 12)}…)`;
  return `generation ${generation}, read from its name: ${desired.image} in ${desired.region} with ${made}`;
}

async function verifyOne(
  ctx: OpContext,
  desired: DesiredDroplets,
  deployment: Pick<Deployment, 'slug' | 'firewall'> | undefined,
  name: string,
  d: DropletState | undefined,
) {
  if (!d) return check(name, false, 'missing: run deploy again');
  if (d.status !== 'active' || !d.publicIpv4)
    return check(name, false, `${d.status}, not active with a public IPv4`);
  if (desired.ipv6 && !d.publicIpv6)
    return check(name, false, 'has no public IPv6 address, which DNS points at: run deploy again');
  const url = healthUrl(d.publicIpv4, desired.health.port, desired.health.path);
  let status: number;
  try {
    status = (await probeHealth(url, ctx.tuning.probeTimeoutMs ?? PROBE_TIMEOUT_MS, ctx.deadline.signal))
      .status;
  } catch (error) {
    const exposure = deployment ? portExposure(deployment, desired.health.port) : ({ open: true } as const);
    const firewall =
      isSilence(error) && !exposure.open
        ? `; ${describeClosed(exposure)}, and this tool cannot know its own address: open the port to 0.0.0.0/0 in firewall.inbound, or run it from an admitted address`
        : '';
    return check(name, false, `${url} did not answer: ${probeFailure(error)}${firewall}`);
  }
  if (status < 200 || status > 299) return check(name, false, `${url} answered ${status}`);
  return check(name, true, `${url} answered ${status}; runs ${generationDetail(desired, name)}`);
}

export async function verifyDroplets(
  ctx: OpContext,
  desired: DesiredDroplets,
  deployment?: Pick<Deployment, 'slug' | 'firewall'>,
): Promise<Check[]> {
  if (desired.names.length === 0) return [];
  const byName = oldestByName(await listOwned(ctx, desired.slug));
  return Promise.all(
    desired.names.map((name) => verifyOne(ctx, desired, deployment, name, byName.get(name))),
  );
}
