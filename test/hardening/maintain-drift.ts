/**
 * The world maintain is for: staging deployed, then changed by hand the way drift happens (a droplet
 * deleted, the apex record pointed elsewhere, a firewall rule removed), and what "repaired" means.
 * Hand changes go straight through the API, as curl would send them, never through our client.
 */
import { expect } from 'vitest';
import { ed25519KeyPair } from '../../lib/exec/keys.js';
import { deployOperation } from '../../lib/ops/deploy/index.js';
import {
  expectNoDuplicates,
  generationsOf,
  isServing,
  liveLocks,
  type Snapshot,
  snapshot,
} from './end-state.js';
import { statusOf } from './entry.js';
import { explain, type Harness } from './harness.js';

export const SLUG = 'base2-staging';
const DOMAIN = 'staging.base2.example.com';
const DROPLET_COUNT = 2;
/** An address no droplet of the emulator ever has (TEST-NET-3). */
export const STRAY_ADDRESS = '203.0.113.9';
/** The inbound ports deployment.yml opens: SSH and HTTP, where the emulator's droplets answer them. */
const manifestPorts = (h: Harness) => [String(h.t.emu.sshPort), String(h.t.emu.httpPort)].sort();

async function api(h: Harness, method: string, path: string, body?: unknown): Promise<unknown> {
  const response = await h.t.fetch(`${h.t.emu.apiUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${h.t.emu.token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (response.status >= 400)
    throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return response.status === 204 ? {} : response.json();
}

/**
 * One droplet deleted and its apex record with it, the kept droplet's apex record pointed at a stray
 * address, the SSH port closed (closing the health port would also drop maintain's health checks).
 */
export async function driftByHand(h: Harness): Promise<void> {
  const s = await snapshot(h.t, SLUG);
  const [gone, kept] = [...s.owned].sort((a, b) => a.name.localeCompare(b.name));
  if (!gone || !kept)
    throw new Error(`expected ${DROPLET_COUNT} droplets of ${SLUG}, found ${s.owned.length}`);
  await api(h, 'DELETE', `/v2/droplets/${gone.id}`);
  // Drift found later: by then DigitalOcean has finished deleting it (it lists a deleted droplet for a while).
  await h.t.untilDropletsGone({ ids: [gone.id] });
  const { domain_records: rows } = (await api(h, 'GET', `/v2/domains/${DOMAIN}/records?per_page=200`)) as {
    domain_records: { id: number; type: string; name: string; data: string }[];
  };
  const apex = (d: typeof gone) => {
    const row = rows.find((r) => r.type === 'A' && r.name === '@' && r.data === d.ip);
    if (!row) throw new Error(`no A @ record points at ${d.name}`);
    return row.id;
  };
  // Someone tidied DNS after the droplet went (maintain must create a record), and pointed the
  // kept droplet's record elsewhere (maintain must update it).
  await api(h, 'DELETE', `/v2/domains/${DOMAIN}/records/${apex(gone)}`);
  await api(h, 'PUT', `/v2/domains/${DOMAIN}/records/${apex(kept)}`, { type: 'A', data: STRAY_ADDRESS });
  const firewall = s.firewalls[0];
  if (!firewall) throw new Error(`no firewall of ${SLUG}`);
  await api(h, 'DELETE', `/v2/firewalls/${firewall.id}/rules`, {
    inbound_rules: [
      { protocol: 'tcp', ports: String(h.t.emu.sshPort), sources: { addresses: ['0.0.0.0/0'] } },
    ],
  });
  await h.clearRequests();
}

/** A key other than deployment.yml's: droplets created with it are of another generation. */
const EARLIER_KEY = ed25519KeyPair().public;

/**
 * A deploy that changed the droplets' generation (their SSH key) and was cut short as it deleted the
 * one it replaced: the current generation serves, the older one is still there beside it.
 */
export async function leaveOldGeneration(h: Harness): Promise<void> {
  const earlier = await h.run(
    deployOperation,
    { env: 'staging' },
    { env: { DO_SSH_PUBLIC_KEY: EARLIER_KEY } },
  );
  expect(statusOf(earlier), explain(earlier)).toBe('succeeded');
  await h.faults([{ method: 'DELETE', path: '/v2/droplets/*', mode: 'error', status: 403 }]);
  const cut = await h.run(deployOperation, { env: 'staging', keep_failed: true });
  await h.clearFaults();
  expect(statusOf(cut), explain(cut)).toBe('failed');
  const s = await snapshot(h.t, SLUG);
  expect(generationsOf(s), 'two generations side by side').toHaveLength(2);
  await h.clearRequests();
}

/** The inbound ports of the deployment's firewall, from the emulator's state dump. */
export async function firewallPorts(h: Harness): Promise<string[]> {
  const state = (await h.t.admin('GET', '/_emulator/state')) as {
    firewalls: { name: string; inbound_rules: { ports: string }[] }[];
  };
  const firewall = state.firewalls.find((f) => f.name.startsWith(SLUG));
  return (firewall?.inbound_rules ?? []).map((r) => r.ports).sort();
}

export const apexOf = (s: Snapshot) =>
  s.records
    .filter((r) => r.type === 'A' && r.name === '@')
    .map((r) => r.data)
    .sort();

/** Everything the manifest asks for of droplets, DNS and firewall is there once, and nothing is held. */
export async function expectRepaired(h: Harness): Promise<void> {
  const s = await snapshot(h.t, SLUG);
  expectNoDuplicates(s);
  expect(s.owned, 'owned droplets').toHaveLength(DROPLET_COUNT);
  expect(s.owned.filter(isServing), 'serving droplets').toHaveLength(DROPLET_COUNT);
  expect(generationsOf(s), 'droplet generations').toHaveLength(1);
  expect(apexOf(s), 'A @ = the serving droplets').toEqual(
    s.owned
      .filter(isServing)
      .map((d) => d.ip ?? '')
      .sort(),
  );
  expect(await firewallPorts(h), 'firewall inbound ports').toEqual(manifestPorts(h));
  expect(liveLocks(s, h.clock.now()), 'a lock still held').toEqual([]);
}

/** The generation of the newest owned droplet: the one a deploy made last. */
function newestGeneration(s: Snapshot): string | undefined {
  const newest = [...s.owned].sort((a, b) => b.id - a.id)[0];
  return newest && generationsOf({ ...s, owned: [newest] })[0];
}

/**
 * Whatever an attempt ended in: droplets it made only stand in for ones the drift removed (one
 * each), the current generation's droplets that served before still serve, an older generation is
 * only deleted once the current one is complete and serving, and every apex record points at an
 * owned droplet (but for a stray one the drift itself left).
 */
export function expectNothingBroken(before: Snapshot, after: Snapshot): void {
  expectNoDuplicates(after);
  const current = newestGeneration(before);
  const ofCurrent = (s: Snapshot) =>
    s.owned.filter((d) => generationsOf({ ...s, owned: [d] })[0] === current);
  expect(generationsOf(before), 'droplet generations').toEqual(expect.arrayContaining(generationsOf(after)));
  expect(ofCurrent(after).length, 'droplets of the current generation').toBeLessThanOrEqual(DROPLET_COUNT);
  const serving = new Set(after.owned.filter(isServing).map((d) => d.id));
  for (const d of ofCurrent(before).filter(isServing))
    expect(serving.has(d.id), `${d.name}, serving before, still serves`).toBe(true);
  const kept = new Set(after.owned.map((d) => d.id));
  const retired = before.owned.filter((d) => !kept.has(d.id)).map((d) => d.name);
  if (retired.length > 0)
    expect(ofCurrent(after).filter(isServing).length, `serving when ${retired.join(', ')} went`).toBe(
      DROPLET_COUNT,
    );
  const owned = new Set(after.owned.map((d) => d.ip));
  const stray = new Set(apexOf(before).filter((data) => !before.owned.some((d) => d.ip === data)));
  for (const data of apexOf(after))
    expect(owned.has(data) || stray.has(data), `A @ ${data} points at an owned droplet`).toBe(true);
}
