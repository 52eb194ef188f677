/**
 * Verification reads again and asks each droplet itself: active, its health URL answers 2xx, and
 * — when the tool wrote the cloud-init — the page reports the SHA-256 of the user_data we sent
 * (`user_data_sha256` in a JSON body). The emulator's status page does; a real Base2 droplet must
 * serve the same field on its health path for this check to pass.
 */
import type { OpContext } from '../../ops/types.js';
import type { Check } from '../types.js';
import { healthUrl, probeFailure, probeHealth, reportedUserDataSha256 } from './health-probe.js';
import type { DesiredDroplets, DropletState } from './model.js';
import { oldestByName } from './plan.js';
import { listOwned } from './read.js';
import { sentUserDataSha256 } from './sent-user-data.js';

const PROBE_TIMEOUT_MS = 5_000;

const check = (name: string, ok: boolean, detail: string): Check => ({ kind: 'droplet', name, ok, detail });

/** Pure: what the page's digest says, given what we know we sent. */
export function digestCheck(
  desired: DesiredDroplets,
  reported: string | undefined,
  sent: string | undefined,
): { ok: boolean; detail: string } {
  if (desired.userData.source !== 'tool') return { ok: true, detail: 'user_data is the manifest’s own' };
  if (reported === undefined) {
    return {
      ok: false,
      detail: 'the health page does not report user_data_sha256 (JSON), so its cloud-init cannot be checked',
    };
  }
  const expected = desired.userData.spec.registryLogin ? sent : desired.userData.sha256;
  if (expected === undefined) {
    return {
      ok: true,
      detail: `user_data holds a one-time registry credential sent by an earlier run, so its digest is not compared; generation ${desired.generation} in the name identifies its template`,
    };
  }
  return reported === expected
    ? { ok: true, detail: 'user_data digest matches' }
    : { ok: false, detail: `runs user_data with digest ${reported}, not the ${expected} sent` };
}

async function verifyOne(
  ctx: OpContext,
  desired: DesiredDroplets,
  name: string,
  d: DropletState | undefined,
) {
  if (!d) return check(name, false, 'missing: run deploy again');
  if (d.status !== 'active' || !d.publicIpv4)
    return check(name, false, `${d.status}, not active with a public IPv4`);
  if (desired.ipv6 && !d.publicIpv6)
    return check(name, false, 'has no public IPv6 address, which DNS points at: run deploy again');
  const url = healthUrl(d.publicIpv4, desired.health.port, desired.health.path);
  let answer: Awaited<ReturnType<typeof probeHealth>>;
  try {
    answer = await probeHealth(url, PROBE_TIMEOUT_MS, ctx.deadline.signal);
  } catch (error) {
    return check(name, false, `${url} did not answer: ${probeFailure(error)}`);
  }
  if (answer.status < 200 || answer.status > 299)
    return check(name, false, `${url} answered ${answer.status}`);
  const digest = digestCheck(desired, reportedUserDataSha256(answer.body), sentUserDataSha256(ctx, d.id));
  return check(name, digest.ok, `${url} answered ${answer.status}; ${digest.detail}`);
}

export async function verifyDroplets(ctx: OpContext, desired: DesiredDroplets): Promise<Check[]> {
  if (desired.names.length === 0) return [];
  const byName = oldestByName(await listOwned(ctx, desired.slug));
  return Promise.all(desired.names.map((name) => verifyOne(ctx, desired, name, byName.get(name))));
}
