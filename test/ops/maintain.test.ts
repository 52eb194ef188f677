import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { holderName, lockPublicKey } from '../../lib/lock/index.js';
import { type DeployResult, deployOperation } from '../../lib/ops/deploy/index.js';
import { type MaintainResult, maintainOperation } from '../../lib/ops/maintain/index.js';
import { startTestEmulator, type TestEmulator } from '../support/emulator.js';
import { runOp, seedRegistry } from './support.js';

const MANIFEST = { BASE2_MANIFEST: 'test/ops/fixtures/deployment.yml' };
const SLUG = 'base2-staging';
const DOMAIN = 'staging.base2.example.com';
let t: TestEmulator;

beforeEach(async () => {
  t = await startTestEmulator({ timeScale: 400 });
  await seedRegistry(t);
  const { report } = await runOp<DeployResult>(t, deployOperation, { env: 'staging' }, { env: MANIFEST });
  expect(report.status, JSON.stringify(report.result.failure)).toBe('succeeded');
});
afterEach(async () => {
  await t.stop();
});

const maintain = async (input: Record<string, unknown> = {}) =>
  (await runOp<MaintainResult>(t, maintainOperation, { env: 'staging', ...input }, { env: MANIFEST })).report;

/** A change made by hand, straight through the API (snake_case JSON, as curl would send it). */
async function api<T = Record<string, never>>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await t.fetch(`${t.emu.apiUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${t.emu.token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (response.status >= 400)
    throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return (response.status === 204 ? {} : await response.json()) as T;
}

type Droplet = { id: number; name: string; tags: string[]; size_slug: string; status: string };
type Row = { id: number; type: string; name: string; data: string };

const droplets = async () =>
  (await api<{ droplets: Droplet[] }>('GET', `/v2/droplets?tag_name=${SLUG}&per_page=200`)).droplets;
const records = async () =>
  (await api<{ domain_records: Row[] }>('GET', `/v2/domains/${DOMAIN}/records?per_page=200`)).domain_records;
const firewall = async () =>
  (
    await api<{ firewalls: { id: string; name: string; inbound_rules: { ports: string }[] }[] }>(
      'GET',
      '/v2/firewalls',
    )
  ).firewalls[0]!;
const mutatingRequests = async () =>
  (await t.requests()).filter((r) => !['GET', 'HEAD'].includes(r.method)).map((r) => `${r.method} ${r.path}`);

describe('maintain', () => {
  it('reports a clean deployment as clean, healthy, with no mutating call and no audit record', async () => {
    const report = await maintain();
    expect(report.status).toBe('noop');
    expect(report.result.clean).toBe(true);
    expect(report.result.drift).toEqual([]);
    expect(report.result.health.length).toBeGreaterThanOrEqual(4);
    expect(report.result.health.every((c) => c.ok)).toBe(true);
    expect(report.api_calls.mutating).toBe(0);
    expect(report.audit).toEqual([]);
    expect(maintainOperation.render!(report)).toContain('clean');
  });

  it('re-creates a droplet deleted by hand, with the same name and tags, and points DNS at it', async () => {
    const [gone, kept] = await droplets();
    await api('DELETE', `/v2/droplets/${gone!.id}`);
    const report = await maintain();
    expect(report.status, JSON.stringify(report.result, null, 1)).toBe('succeeded');
    expect(report.result.drift).toContainEqual(
      expect.objectContaining({ kind: 'droplet', action: 'create', name: gone!.name, treatment: 'repair' }),
    );
    expect(report.result.repaired).toContainEqual(
      expect.objectContaining({ kind: 'droplet', action: 'create', name: gone!.name, outcome: 'ok' }),
    );
    const now = await droplets();
    expect(now.map((d) => d.name).sort()).toEqual([gone!.name, kept!.name].sort());
    expect(now.find((d) => d.name === gone!.name)?.tags.sort()).toEqual(gone!.tags.sort());
    expect(report.result.remaining).toEqual([]);
    expect(report.result.health.every((c) => c.ok)).toBe(true);
    expect(report.audit.map((a) => a.action)).toContain('create');
    const addresses = (await t.dots.v2.droplets.get({ queryParameters: { tagName: SLUG } }))?.droplets?.map(
      (d) => d.networks?.v4?.find((n) => n.type === 'public')?.ipAddress,
    );
    const pointed = (await records()).filter((r) => r.type === 'A' && r.name === '@').map((r) => r.data);
    expect(pointed.sort()).toEqual(addresses?.sort());
    expect((await maintain()).status).toBe('noop');
  });

  it('restores a DNS record deleted by hand and one changed by hand', async () => {
    const rows = await records();
    const cname = rows.find((r) => r.type === 'CNAME' && r.name === 'app')!;
    const a = rows.find((r) => r.type === 'A' && r.name === '@')!;
    await api('DELETE', `/v2/domains/${DOMAIN}/records/${cname.id}`);
    await api('PUT', `/v2/domains/${DOMAIN}/records/${a.id}`, { type: 'A', data: '203.0.113.9' });
    const report = await maintain();
    expect(report.status, JSON.stringify(report.result, null, 1)).toBe('succeeded');
    const repaired = report.result.repaired.map((s) => `${s.action} ${s.kind} ${s.name}`);
    expect(repaired.sort()).toEqual(['create record CNAME app', 'update record A @']);
    const after = await records();
    expect(after.find((r) => r.type === 'CNAME' && r.name === 'app')?.data).toBe(cname.data);
    expect(after.filter((r) => r.type === 'A').map((r) => r.data)).not.toContain('203.0.113.9');
    expect(report.result.remaining).toEqual([]);
  });

  it('restores a firewall rule removed by hand', async () => {
    // The SSH rule: without the health port's, the firewall would drop the health checks too.
    const [ssh, http] = [String(t.emu.sshPort), String(t.emu.httpPort)];
    const fw = await firewall();
    await api('DELETE', `/v2/firewalls/${fw.id}/rules`, {
      inbound_rules: [{ protocol: 'tcp', ports: ssh, sources: { addresses: ['0.0.0.0/0'] } }],
    });
    expect((await firewall()).inbound_rules.map((r) => r.ports)).toEqual([http]);
    const report = await maintain();
    expect(report.status, JSON.stringify(report.result, null, 1)).toBe('succeeded');
    expect(report.result.drift).toEqual([
      expect.objectContaining({ kind: 'firewall', action: 'update', treatment: 'repair' }),
    ]);
    expect(report.result.drift[0]?.what).toContain(`+inbound tcp ${ssh}`);
    expect((await firewall()).inbound_rules.map((r) => r.ports).sort()).toEqual([ssh, http].sort());
    expect(report.result.remaining).toEqual([]);
  });

  it('warns about a foreign look-alike droplet and never touches it', async () => {
    const foreign = await api<{ droplet: Droplet }>('POST', '/v2/droplets', {
      name: `${SLUG}-handmade`,
      region: 'nyc3',
      size: 's-1vcpu-1gb',
      image: 'debian-12-x64',
      tags: [SLUG],
    });
    await t.admin('DELETE', '/_emulator/requests');
    const report = await maintain();
    expect(report.status).toBe('noop');
    expect(report.warnings.join(' ')).toContain(`${SLUG}-handmade`);
    expect(report.api_calls.mutating).toBe(0);
    expect(await mutatingRequests()).toEqual([]);
    expect((await droplets()).map((d) => d.id)).toContain(foreign.droplet.id);
  });

  it('report_only reports every drift and makes no mutating call', async () => {
    const [gone] = await droplets();
    await api('DELETE', `/v2/droplets/${gone!.id}`);
    const cname = (await records()).find((r) => r.type === 'CNAME')!;
    await api('DELETE', `/v2/domains/${DOMAIN}/records/${cname.id}`);
    const fw = await firewall();
    await api('DELETE', `/v2/firewalls/${fw.id}/rules`, {
      inbound_rules: [
        { protocol: 'tcp', ports: String(t.emu.sshPort), sources: { addresses: ['0.0.0.0/0'] } },
      ],
    });
    await t.admin('DELETE', '/_emulator/requests');
    const report = await maintain({ report_only: true });
    expect(report.api_calls.mutating).toBe(0);
    expect(await mutatingRequests()).toEqual([]);
    expect(report.audit).toEqual([]);
    expect(report.result.repaired).toEqual([]);
    const found = report.result.drift.map((d) => `${d.action} ${d.kind} ${d.treatment}`);
    expect(found).toEqual(
      expect.arrayContaining(['create droplet repair', 'create record repair', 'update firewall repair']),
    );
    expect(report.status).toBe('failed');
    expect(report.result.health.find((c) => c.name === gone!.name)?.ok).toBe(false);
    expect(report.result.advice.join(' ')).toContain('report_only');
    expect(maintainOperation.render!(report)).toContain('would repair');
  });

  it('repairs nothing while another operation holds the deployment lock, and does not wait for it', async () => {
    const [gone] = await droplets();
    await api('DELETE', `/v2/droplets/${gone!.id}`);
    const holder = { op: 'deploy', holder: '0badc0de', since: Date.now(), until: Date.now() + 120_000 };
    await api('POST', '/v2/account/keys', {
      name: holderName(SLUG, holder),
      public_key: lockPublicKey(SLUG),
    });
    await t.admin('DELETE', '/_emulator/requests');
    const started = Date.now();
    const report = await maintain();
    expect(Date.now() - started).toBeLessThan(5_000);
    // Only the attempt to take the lock (refused: DigitalOcean registers a key once).
    expect(await mutatingRequests()).toEqual(['POST /v2/account/keys']);
    expect(report.result.repaired).toEqual([]);
    expect(report.result.advice.join(' ')).toContain(
      'Nothing was repaired: deploy of base2-staging is running',
    );
    expect(report.status).toBe('failed');
  });

  it('takes the deployment lock while repairing, and gives it back', async () => {
    const [gone] = await droplets();
    await api('DELETE', `/v2/droplets/${gone!.id}`);
    const report = await maintain();
    expect(report.status).toBe('succeeded');
    const lockRecords = report.audit.filter((a) => a.resource.startsWith('lock'));
    expect(lockRecords.map((a) => a.action)).toEqual(['acquire', 'release']);
    const keys = await api<{ ssh_keys: { name: string }[] }>('GET', '/v2/account/keys');
    expect(keys.ssh_keys.some((k) => k.name.startsWith(`${SLUG}-lock`))).toBe(false);
  });

  it('reports a repair DigitalOcean refuses as one clear failure, and gives the lock back', async () => {
    const fw = await firewall();
    await api('DELETE', `/v2/firewalls/${fw.id}/rules`, {
      inbound_rules: [
        { protocol: 'tcp', ports: String(t.emu.sshPort), sources: { addresses: ['0.0.0.0/0'] } },
      ],
    });
    await t.admin('POST', '/_emulator/faults', {
      method: 'PUT',
      path: '/v2/firewalls/*',
      mode: 'error',
      status: 422,
    });
    const report = await maintain();
    expect(report.status).toBe('failed');
    expect(report.result.failure?.kind).toBe('apply');
    expect(report.result.failure?.detail).toContain(`firewall ${SLUG}-fw`);
    expect(report.audit.map((a) => `${a.action} ${a.outcome}`)).toEqual([
      'acquire ok',
      'update failed',
      'release ok',
    ]);
  });
});
