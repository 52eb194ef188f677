import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { OWNER_TAG } from '../../lib/config/identity.js';
import { lockPublicKey } from '../../lib/lock/index.js';
import type { DeployResult } from '../../lib/ops/deploy/index.js';
import { deployOperation } from '../../lib/ops/deploy/index.js';
import { type InfoResult, infoOperation, renderInfo } from '../../lib/ops/info/index.js';
import { startTestEmulator, type TestEmulator } from '../support/emulator.js';
import { TEST_REGISTRY } from '../support/op-context.js';
import { runOp, seedRegistry } from './support.js';

const MANIFEST = { BASE2_MANIFEST: 'test/ops/fixtures/deployment.yml' };
let t: TestEmulator;

beforeAll(async () => {
  t = await startTestEmulator({ timeScale: 400 });
});
afterAll(async () => {
  await t.stop();
});

const info = (input: Record<string, unknown>) =>
  runOp<InfoResult>(t, infoOperation, input, { env: MANIFEST });

/** The API requests info made, read from the emulator's own log (not from our client's count). */
async function requestsOf(work: () => Promise<unknown>) {
  await t.admin('DELETE', '/_emulator/requests');
  await work();
  return t.requests();
}

describe('info on an empty account', () => {
  beforeEach(async () => {
    await t.admin('POST', '/_emulator/reset');
  });

  it('account scope lists every kind as empty (the default project aside) with one GET per kind', async () => {
    let report!: Awaited<ReturnType<typeof info>>['report'];
    const seen = await requestsOf(async () => {
      report = (await info({ scope: 'account' })).report;
    });
    expect(report.status).toBe('succeeded');
    expect(report.deployment).toBeUndefined();
    const r = report.result;
    expect(r).toMatchObject({ scope: 'account', namespaces: [], domains: [], apps: [], droplets: [] });
    expect(r).toMatchObject({ registry: null, firewalls: [], ssh_keys: [] });
    expect(r.projects.map((p) => p.is_default)).toEqual([true]);
    expect(report.warnings).toEqual([]);
    expect(seen.every((s) => s.method === 'GET')).toBe(true);
    // namespaces, projects, registry (404: none, so no repositories list), domains, droplets,
    // firewalls, apps, SSH keys.
    expect(report.api_calls).toMatchObject({ total: 8, mutating: 0, byMethod: { GET: 8 } });
    expect(seen).toHaveLength(8);
    expect(seen.filter((s) => s.status !== 200)).toEqual([
      expect.objectContaining({ path: '/v2/registry', status: 404 }),
    ]);
  });

  it('deployment scope says the manifest domain is not in the account yet, as a warning, not an error', async () => {
    const { report } = await info({ env: 'staging' });
    expect(report.status).toBe('succeeded');
    expect(report.deployment).toBe('base2-staging');
    expect(report.result.domains).toEqual([
      { name: 'staging.base2.example.com', exists: false, records: [] },
    ]);
    expect(report.result).toMatchObject({
      apps: [],
      droplets: [],
      firewalls: [],
      ssh_keys: [],
      registry: null,
    });
    expect(report.warnings).toEqual([expect.stringContaining('Domain staging.base2.example.com')]);
    expect(report.warnings[0]).toMatch(/not in this account yet: deploy creates it/);
    expect(report.api_calls).toMatchObject({ mutating: 0, byMethod: { GET: report.api_calls.total } });
    expect(report.api_calls.total).toBeLessThanOrEqual(8);
  });

  it('renders every kind as "none" and the warning before the tables', async () => {
    const { report } = await info({ env: 'staging' });
    const text = renderInfo(report);
    expect(text.indexOf('Warnings:')).toBeLessThan(text.indexOf('Functions namespaces'));
    expect(text).toContain('! Domain staging.base2.example.com');
    for (const kind of ['Functions namespaces', 'Apps', 'Droplets', 'Firewalls', 'SSH keys', 'DNS records']) {
      expect(text).toContain(`${kind}: none`);
    }
    expect(text).toContain('Container registry: none');
  });

  it('an unknown environment is refused before any API call', async () => {
    const seen = await requestsOf(() => info({ env: 'nowhere' }).catch((e: Error) => e.message));
    expect(seen).toEqual([]);
  });
});

describe('info on a deployed account', () => {
  let namespaceKey: string;

  beforeAll(async () => {
    await t.admin('POST', '/_emulator/reset');
    await seedRegistry(t);
    const created = await t.dots.v2.functions.namespaces.post({ label: 'base2-ops', region: 'nyc1' });
    namespaceKey = created?.namespace?.key ?? '';
    expect(namespaceKey.length).toBeGreaterThan(10);
    const { report } = await runOp<DeployResult>(t, deployOperation, { env: 'staging' }, { env: MANIFEST });
    expect(report.status, JSON.stringify(report.result.failure)).toBe('succeeded');
  }, 30_000);

  it('deployment scope shows every owned resource with its metadata, no warnings, in at most 9 GETs', async () => {
    let result!: Awaited<ReturnType<typeof info>>;
    const seen = await requestsOf(async () => {
      result = await info({ env: 'staging' });
    });
    const { report } = result;
    expect(report.warnings).toEqual([]);
    const r = report.result;
    expect(r.droplets).toHaveLength(2);
    for (const d of r.droplets) {
      expect(d).toMatchObject({
        owner: 'base2-staging',
        status: 'active',
        size: 's-1vcpu-1gb',
        region: 'nyc3',
      });
      expect(d.public_ipv4).toMatch(/^127\./);
      expect(d.tags).toEqual(expect.arrayContaining(['base2-staging', OWNER_TAG]));
      expect(d.created_at).toMatch(/^\d{4}-/);
    }
    expect(r.apps).toHaveLength(1);
    expect(r.apps[0]).toMatchObject({
      name: 'base2-staging',
      owner: 'base2-staging',
      active_deployment: { phase: 'ACTIVE' },
      components: [{ kind: 'service', name: 'web', instance_count: 1, image: 'base2:latest' }],
    });
    expect(r.apps[0]?.live_url).toMatch(/^https:/);
    expect(r.apps[0]?.differences).toBeUndefined();
    expect(r.firewalls).toEqual([
      expect.objectContaining({ name: 'base2-staging-fw', owner: 'base2-staging', tags: ['base2-staging'] }),
    ]);
    // The fixture opens the ports the emulator's droplets answer on (DO_SSH_PORT, DO_HTTP_PORT).
    expect([...(r.firewalls[0]?.inbound ?? [])].sort()).toEqual(
      [`tcp ${t.emu.sshPort} ← 0.0.0.0/0`, `tcp ${t.emu.httpPort} ← 0.0.0.0/0`].sort(),
    );
    expect(r.ssh_keys).toEqual([
      expect.objectContaining({ name: 'base2-staging-key', owner: 'base2-staging' }),
    ]);
    const [domain] = r.domains;
    expect(domain).toMatchObject({
      name: 'staging.base2.example.com',
      exists: true,
      created_by: 'base2-staging',
    });
    const states = domain!.records.map((rec) => `${rec.type} ${rec.name} ${rec.state}`).sort();
    expect(states).toEqual(['A @ ok', 'A @ ok', 'CNAME app ok', 'TXT _base2-do marker']);
    expect(r.registry).toMatchObject({ name: TEST_REGISTRY, region: 'nyc3', tier: 'basic' });
    expect(r.registry?.storage_used_bytes).toBeGreaterThan(0);
    expect(r.registry?.repositories).toEqual([expect.objectContaining({ name: 'base2', tag_count: 3 })]);
    expect(r.registry?.repositories[0]?.latest_tags.length).toBeGreaterThan(0);
    expect(r.namespaces).toEqual([expect.objectContaining({ label: 'base2-ops', region: 'nyc1' })]);
    expect(r.projects.some((p) => p.is_default)).toBe(true);
    // Reads only, and few: SSH keys, firewalls, droplets, records, apps, namespaces, projects,
    // registry, repositories.
    expect(seen.every((s) => s.method === 'GET' && s.status === 200)).toBe(true);
    expect(report.api_calls).toMatchObject({ total: 9, mutating: 0, byMethod: { GET: 9 } });
    expect(report.audit).toEqual([]);
  });

  it('account scope lists the same resources, owners proven by tags', async () => {
    const { report } = await info({ scope: 'account' });
    const r = report.result;
    expect(r.droplets.map((d) => d.owner)).toEqual(['base2-staging', 'base2-staging']);
    expect(r.firewalls.map((f) => f.owner)).toEqual(['base2-staging']);
    expect(r.apps.map((a) => [a.name, a.owner])).toEqual([['base2-staging', 'base2-staging']]);
    expect(r.domains.map((d) => d.name)).toEqual(['staging.base2.example.com']);
    expect(r.domains[0]?.records.some((rec) => rec.type === 'SOA')).toBe(true);
    expect(report.warnings).toEqual([]);
    // The eight lists, the repositories, and one records list for the one domain.
    expect(report.api_calls).toMatchObject({ total: 10, mutating: 0 });
  });

  it('account scope names the deployment a lock key belongs to, proven by its public key, not by its name', async () => {
    const lock = await t.dots.v2.account.keys.post({
      name: 'base2-staging-lock: deploy 0a1b2c3d since 2026-01-01T00:00:00.000Z until 2026-01-01T00:02:00.000Z',
      publicKey: lockPublicKey('base2-staging'),
    });
    const impostor = await t.dots.v2.account.keys.post({
      name: 'base2-production-lock',
      publicKey: lockPublicKey('base2-other'),
    });
    try {
      const { report } = await info({ scope: 'account' });
      const owners = Object.fromEntries(report.result.ssh_keys.map((k) => [k.name.split(':')[0], k.owner]));
      expect(owners).toMatchObject({
        'base2-staging-lock': 'base2-staging',
        'base2-production-lock': undefined,
      });
    } finally {
      for (const key of [lock, impostor])
        await t.dots.v2.account.keys.bySsh_key_identifier(key!.sshKey!.id!).delete();
    }
  });

  it('never shows a namespace key or uuid field, in the report, the rendering or the log', async () => {
    for (const scope of ['account', 'deployment']) {
      const { report, logs } = await info({ scope });
      const text = [JSON.stringify(report), renderInfo(report), ...logs].join('\n');
      expect(text).not.toContain(namespaceKey);
      expect(text).not.toContain(t.emu.token);
      expect(Object.keys(report.result.namespaces[0] ?? {}).sort()).toEqual([
        'api_host',
        'created_at',
        'label',
        'namespace',
        'region',
      ]);
    }
  });

  it('renders aligned tables with their headers', async () => {
    const { report } = await info({ env: 'staging' });
    const text = renderInfo(report);
    expect(text.startsWith('Info for base2-staging\n\nWarnings: none\n')).toBe(true);
    // The host the manifest's CNAME points at the app is one of its domains, and deploy saw it ACTIVE.
    expect(report.result.apps[0]?.domains).toEqual([
      { domain: 'app.staging.base2.example.com', type: 'ALIAS', phase: 'ACTIVE' },
    ]);
    expect(text).toContain('app.staging.base2.example.com ACTIVE');
    for (const header of [
      /\n {2}LABEL +REGION +NAMESPACE +API HOST +CREATED\n/,
      /\n {2}NAME +IN ACCOUNT +CREATED BY +RECORDS\n/,
      /\n {2}DOMAIN +TYPE +NAME +DATA +TTL +STATE\n/,
      /\n {2}NAME +ID +LIVE URL +DOMAINS +ACTIVE +IN PROGRESS +COMPONENTS +OWNER\n/,
      /\n {2}NAME +ID +STATUS +PUBLIC IP +SIZE +REGION +TAGS +CREATED +OWNER\n/,
      /\n {2}NAME +REGION +TIER +STORAGE USED\n/,
      /\n {2}NAME +TAGS +LATEST TAGS +UPDATED\n/,
      /\n {2}NAME +ID +STATUS +INBOUND +OUTBOUND +APPLIES TO +OWNER\n/,
      /\n {2}NAME +ID +PURPOSE +ENVIRONMENT +DEFAULT\n/,
      /\n {2}NAME +ID +FINGERPRINT +OWNER\n/,
    ]) {
      expect(text).toMatch(header);
    }
    const droplets = text
      .split('\n\n')
      .find((s) => s.startsWith('Droplets'))!
      .split('\n');
    expect(droplets).toHaveLength(4);
    const column = (line: string) => line.indexOf('active');
    expect(column(droplets[2]!)).toBe(column(droplets[3]!));
    expect(droplets[1]!.indexOf('STATUS')).toBe(column(droplets[2]!));
    expect(text.split('\n').every((line) => line === line.trimEnd())).toBe(true);
  });
});
