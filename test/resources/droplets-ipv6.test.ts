/**
 * AAAA records that point at the droplets: droplets get IPv6 when the deployment needs it (at
 * creation, or through DigitalOcean's enable_ipv6 action for droplets that run already), the
 * records carry their public IPv6 addresses, and deployments without IPv6 are left exactly as
 * they were.
 */
import { writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OWNER_TAG } from '../../lib/config/identity.js';
import { loadManifest, resolveDeployment } from '../../lib/config/manifest.js';
import { type DeployResult, deployOperation } from '../../lib/ops/deploy/index.js';
import { type EditResult, editOperation } from '../../lib/ops/edit/index.js';
import { type InfoResult, infoOperation, renderInfo } from '../../lib/ops/info/index.js';
import { type MaintainResult, maintainOperation } from '../../lib/ops/maintain/index.js';
import {
  type ActualDroplets,
  type DesiredDroplets,
  type DropletState,
  desiredDroplets,
  dropletFacts,
  dropletsModule,
  planDroplets,
} from '../../lib/resources/droplets/index.js';
import { expandCreateRequest, flattenDroplet } from '../../lib/resources/droplets/model.js';
import { tempProject } from '../config/temp-project.js';
import { runOp, seedRegistry } from '../ops/support.js';
import { startTestEmulator, type TestEmulator } from '../support/emulator.js';
import { ROOT } from '../support/op-context.js';
import { loadSpec } from '../support/openapi.js';

const SLUG = 'base2-v6';
const DOMAIN = 'v6.base2.example.com';
const A_RECORD = "    - { type: A, name: '@', target: droplets }\n";
const AAAA_RECORD = "    - { type: AAAA, name: '@', target: droplets }\n";

/** A droplets-and-DNS deployment `base2-v6`, with the given records and droplets fields. */
const manifest = (records: string, dropletsExtra = '', count = 2) =>
  `name: base2
region: nyc3
environments: { v6: {} }
registry: { name: base2-tests, subscription_tier: basic, region: nyc3 }
droplets:
  count: ${count}
  size: s-1vcpu-1gb
  image: debian-12-x64
  ssh_key:
    public_key: ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJeX1kgymIaelKiSqc7R9gXuaWcWSLoQsfOiFyHXIcgV base2-placeholder
  container: { image: registry.digitalocean.com/base2-tests/base2:latest, port: 8080 }
  health: { port: \${DO_HTTP_PORT:-80}, path: /healthz }
${dropletsExtra}domain:
  name: ${DOMAIN}
  ttl: 300
  records:
${records}`;

describe('droplets and AAAA records, deployed against the emulator', () => {
  let t: TestEmulator;
  let file: string;

  beforeEach(async () => {
    t = await startTestEmulator({ timeScale: 400 });
    await seedRegistry(t);
    file = join(tempProject({}), 'deployment.yml');
  });
  afterEach(async () => {
    await t.stop();
  });

  const deploy = async (text: string, input: Record<string, unknown> = {}) => {
    writeFileSync(file, text);
    const options = { env: { BASE2_MANIFEST: file } };
    return (await runOp<DeployResult>(t, deployOperation, { env: 'v6', ...input }, options)).report;
  };
  const droplets = async () =>
    (await t.dots.v2.droplets.get({ queryParameters: { tagName: SLUG, perPage: 200 } }))?.droplets ?? [];
  const records = async (type: string) =>
    (
      (
        await t.dots.v2.domains
          .byDomain_name(DOMAIN)
          .records.get({ queryParameters: { type: type as never } })
      )?.domainRecords ?? []
    )
      .map((r) => r.data)
      .sort();
  const publicIpv6 = (d: {
    networks?: { v6?: { type?: unknown; ipAddress?: string | null }[] | null } | null;
  }) => d.networks?.v6?.find((n) => n.type === 'public')?.ipAddress ?? undefined;
  const mutating = async () => (await t.requests()).filter((r) => r.method !== 'GET');

  it('creates the droplets with IPv6 and points the AAAA record at their addresses; a second deploy makes no mutating call', async () => {
    const first = await deploy(manifest(A_RECORD + AAAA_RECORD));
    expect(first.status, JSON.stringify(first.result.failure)).toBe('succeeded');
    const made = await droplets();
    expect(made).toHaveLength(2);
    for (const d of made) expect(d.features).toContain('ipv6');
    const addresses = made.map(publicIpv6);
    expect(addresses.every((a) => a !== undefined && isIP(a) === 6)).toBe(true);
    expect(await records('AAAA')).toEqual([...addresses].sort());
    // Made with IPv6 from the start: no droplet action was needed.
    expect(first.audit.map((a) => a.action)).not.toContain('enable_ipv6');
    const aaaa = first.result.checks.find((c) => c.name === `AAAA @.${DOMAIN}`);
    expect(aaaa?.ok, aaaa?.detail).toBe(true);
    expect(first.result.checks.every((c) => c.ok)).toBe(true);

    await t.admin('DELETE', '/_emulator/requests');
    const second = await deploy(manifest(A_RECORD + AAAA_RECORD));
    expect(second.status).toBe('noop');
    expect(second.api_calls.mutating).toBe(0);
    expect(await mutating()).toEqual([]);

    // info lists both addresses of each droplet.
    const info = (await runOp<InfoResult>(t, infoOperation, { env: 'v6' }, { env: { BASE2_MANIFEST: file } }))
      .report;
    expect(info.result.droplets.map((d) => d.public_ipv6).sort()).toEqual([...addresses].sort());
    expect(renderInfo(info)).toContain(
      `${info.result.droplets[0]!.public_ipv4} ${info.result.droplets[0]!.public_ipv6}`,
    );
  });

  it('leaves an IPv4-only deployment as it was: droplets without IPv6, no replacement, no mutating call', async () => {
    const first = await deploy(manifest(A_RECORD));
    expect(first.status, JSON.stringify(first.result.failure)).toBe('succeeded');
    const made = await droplets();
    for (const d of made) {
      expect(d.features).not.toContain('ipv6');
      expect(d.networks?.v6).toEqual([]);
    }
    expect(await records('AAAA')).toEqual([]);

    await t.admin('DELETE', '/_emulator/requests');
    const second = await deploy(manifest(A_RECORD));
    expect(second.status).toBe('noop');
    expect(await mutating()).toEqual([]);
    expect((await droplets()).map((d) => d.id).sort()).toEqual(made.map((d) => d.id).sort());
  });

  it('adding an AAAA record enables IPv6 on the running droplets, without replacing them, then writes the records', async () => {
    expect((await deploy(manifest(A_RECORD))).status).toBe('succeeded');
    const before = (await droplets()).map((d) => d.id).sort();
    const dry = await deploy(manifest(A_RECORD + AAAA_RECORD), { dry_run: true });
    expect(dry.result.plan.filter((s) => s.kind === 'droplet').map((s) => [s.action, s.reason])).toEqual([
      ['update', 'IPv6 off → on'],
      ['update', 'IPv6 off → on'],
    ]);
    expect(dry.warnings.join('\n')).toMatch(/enable_ipv6/);

    await t.admin('DELETE', '/_emulator/requests');
    const report = await deploy(manifest(A_RECORD + AAAA_RECORD));
    expect(report.status, JSON.stringify(report.result.failure)).toBe('succeeded');
    const after = await droplets();
    expect(after.map((d) => d.id).sort()).toEqual(before);
    const calls = (await mutating()).map((r) => `${r.method} ${r.path.replace(/\/\d+/g, '/:id')}`);
    expect(calls.filter((c) => c.includes('droplets'))).toEqual([
      'POST /v2/droplets/:id/actions',
      'POST /v2/droplets/:id/actions',
    ]);
    expect(
      report.result.applied.filter((a) => a.kind === 'droplet').map((a) => [a.action, a.outcome]),
    ).toEqual([
      ['update', 'ok'],
      ['update', 'ok'],
    ]);
    expect(report.audit.filter((a) => a.action === 'enable_ipv6')).toHaveLength(2);
    expect(await records('AAAA')).toEqual(after.map(publicIpv6).sort());
    expect(report.result.checks.every((c) => c.ok)).toBe(true);

    await t.admin('DELETE', '/_emulator/requests');
    expect((await deploy(manifest(A_RECORD + AAAA_RECORD))).status).toBe('noop');
    expect(await mutating()).toEqual([]);
  });

  it('maintain re-creates a droplet deleted by hand with IPv6, and points the AAAA record at its new address', async () => {
    expect((await deploy(manifest(A_RECORD + AAAA_RECORD))).status).toBe('succeeded');
    const options = { env: { BASE2_MANIFEST: file } };
    const maintain = async () =>
      (await runOp<MaintainResult>(t, maintainOperation, { env: 'v6' }, options)).report;
    expect((await maintain()).status).toBe('noop');
    const [gone] = await droplets();
    await t.dots.v2.droplets.byDroplet_id(gone!.id!).delete();
    await t.untilDropletsGone({ ids: [gone!.id!] });
    const report = await maintain();
    expect(report.status, JSON.stringify(report.result)).toBe('succeeded');
    expect(report.result.health.every((c) => c.ok)).toBe(true);
    const now = await droplets();
    expect(now).toHaveLength(2);
    const remade = now.find((d) => d.name === gone!.name)!;
    expect(remade.id).not.toBe(gone!.id);
    expect(isIP(publicIpv6(remade) ?? '')).toBe(6);
    expect(await records('AAAA')).toEqual(now.map(publicIpv6).sort());
    expect((await maintain()).status).toBe('noop');
  });

  it('maintain enables IPv6 that deployment.yml asks for on running droplets, without replacing them', async () => {
    expect((await deploy(manifest(A_RECORD))).status).toBe('succeeded');
    const before = (await droplets()).map((d) => d.id).sort();
    writeFileSync(file, manifest(A_RECORD, '  ipv6: true\n'));
    const options = { env: { BASE2_MANIFEST: file } };
    const maintain = async () =>
      (await runOp<MaintainResult>(t, maintainOperation, { env: 'v6' }, options)).report;
    const report = await maintain();
    expect(report.status, JSON.stringify(report.result)).toBe('succeeded');
    expect(report.audit.filter((a) => a.action === 'enable_ipv6')).toHaveLength(2);
    const after = await droplets();
    expect(after.map((d) => d.id).sort()).toEqual(before);
    expect(after.every((d) => isIP(publicIpv6(d) ?? '') === 6)).toBe(true);
    expect((await maintain()).status).toBe('noop');
  });

  it('an edit that scales up creates the new droplet with IPv6 too, and DNS then lists its address', async () => {
    expect((await deploy(manifest(A_RECORD + AAAA_RECORD))).status).toBe('succeeded');
    const options = { env: { BASE2_MANIFEST: file } };
    const scaled = (await runOp<EditResult>(t, editOperation, { env: 'v6', droplet_count: 3 }, options))
      .report;
    expect(scaled.status, JSON.stringify(scaled.result)).toBe('succeeded');
    const all = await droplets();
    expect(all).toHaveLength(3);
    for (const d of all) expect(isIP(publicIpv6(d) ?? '')).toBe(6);
    expect(scaled.audit.map((a) => a.action)).not.toContain('enable_ipv6');
    // DNS follows the edit: the new droplet's addresses are in the records at once.
    expect(await records('AAAA')).toEqual(all.map(publicIpv6).sort());
    // The manifest now says 3 too, so deploy has nothing left to do.
    const again = await deploy(manifest(A_RECORD + AAAA_RECORD, '', 3));
    expect(again.status, JSON.stringify(again.result.failure)).toBe('noop');
  });

  it("serves networks.v6 as DigitalOcean's spec describes it, for droplets made with IPv6 and enabled later", async () => {
    const spec = loadSpec();
    expect((await deploy(manifest(A_RECORD))).status).toBe('succeeded');
    // droplets.ipv6 without any AAAA record; one more droplet, created with IPv6.
    const report = await deploy(manifest(A_RECORD, '  ipv6: true\n', 3));
    expect(report.status, JSON.stringify(report.result.failure)).toBe('succeeded');
    const dropletCalls = report.audit.filter((a) => a.resource.startsWith('droplet '));
    expect(dropletCalls.map((a) => a.action).sort()).toEqual(['create', 'enable_ipv6', 'enable_ipv6']);
    const all = await droplets();
    expect(all).toHaveLength(3);
    for (const d of all) {
      const route = '/v2/droplets/{droplet_id}';
      const body = await t.admin('GET', `/v2/droplets/${d.id}`);
      const v6 = (body as { droplet: { networks: { v6: unknown[] } } }).droplet.networks.v6;
      expect(v6).toEqual([
        { ip_address: expect.any(String), netmask: 64, gateway: expect.any(String), type: 'public' },
      ]);
      const [network] = v6 as { ip_address: string; gateway: string }[];
      expect([isIP(network!.ip_address), isIP(network!.gateway)]).toEqual([6, 6]);
      if (spec.validator) {
        const result = spec.validator.validateResponse({
          method: 'GET',
          route,
          path: route,
          status: 200,
          body,
        });
        expect([result.operationId, result.errors]).toEqual(['droplets_get', []]);
      }
    }
  });
});

describe('IPv6 in the droplet plan and facts (pure)', () => {
  const fixture = (environment: string) =>
    resolveDeployment(loadManifest(join(ROOT, 'test/ops/fixtures/deployment.yml'), {}), environment);
  const withAaaa = () => {
    const d = fixture('droponly');
    const records = [...d.domain!.records, { type: 'AAAA' as const, name: '@', target: 'droplets' }];
    return { ...d, domain: { ...d.domain!, records } };
  };
  let nextId = 500;
  const droplet = (
    desired: DesiredDroplets,
    index: number,
    fields: Partial<DropletState> = {},
  ): DropletState => {
    const id = nextId++;
    return {
      id,
      name: `${desired.slug}-${desired.generation}-${index}`,
      status: 'active',
      size: desired.size,
      region: desired.region,
      image: desired.image,
      tags: [desired.slug, OWNER_TAG],
      createdAt: 1_700_000_000_000 + id,
      publicIpv4: `203.0.113.${index}`,
      locked: false,
      ...fields,
    };
  };
  const actualOf = (desired: DesiredDroplets, owned: DropletState[]): ActualDroplets => ({
    slug: desired.slug,
    owned,
    lookalikes: [],
    accountScanned: true,
  });

  it('keeps the generation of a deployment without IPv6, as computed before IPv6 existed', () => {
    // Pinned: a different value would replace every droplet of every IPv4-only deployment. (It
    // changed once on purpose, when the cloud-init template stopped installing Docker where the
    // image has it: that made one new generation.)
    expect(desiredDroplets(fixture('droponly'))!.generation).toBe('2d4a45');
    expect(desiredDroplets(withAaaa())!.generation).toBe('2d4a45');
  });

  it('wants IPv6 when an AAAA record points at the droplets or droplets.ipv6 says so, and sends it on create', () => {
    expect(desiredDroplets(fixture('droponly'))!.ipv6).toBe(false);
    expect(desiredDroplets(withAaaa())!.ipv6).toBe(true);
    const explicit = fixture('droponly');
    expect(desiredDroplets({ ...explicit, droplets: { ...explicit.droplets!, ipv6: true } })!.ipv6).toBe(
      true,
    );
    const [create] = planDroplets(desiredDroplets(withAaaa()), actualOf(desiredDroplets(withAaaa())!, []));
    const payload = create?.payload?.type === 'create' ? create.payload.create : undefined;
    expect(expandCreateRequest(payload!, ['x'], '').ipv6).toBe(true);
    const plain = desiredDroplets(fixture('droponly'))!;
    const [v4] = planDroplets(plain, actualOf(plain, []));
    const v4Payload = v4?.payload?.type === 'create' ? v4.payload.create : undefined;
    expect(expandCreateRequest(v4Payload!, ['x'], '')).not.toHaveProperty('ipv6');
  });

  it('enables IPv6 on droplets without it, before a resize of the same droplet, and never takes it away', () => {
    const desired = desiredDroplets(withAaaa())!;
    const owned = [droplet(desired, 1), droplet(desired, 2, { ipv6: true, publicIpv6: '2001:db8::2' })];
    const steps = planDroplets(desired, actualOf(desired, owned));
    expect(steps.map((s) => [s.action, s.name, s.reason, s.payload])).toEqual([
      ['update', desired.names[0], 'IPv6 off → on', { type: 'enable-ipv6' }],
      ['noop', desired.names[1], 'active, s-1vcpu-1gb', undefined],
    ]);
    const bigger = { ...desired, size: 's-2vcpu-2gb' };
    const first = planDroplets(bigger, actualOf(desired, owned)).filter((s) => s.name === desired.names[0]);
    expect(first.map((s) => s.payload?.type)).toEqual(['enable-ipv6', 'resize']);
    const plain = { ...desired, ipv6: false };
    expect(planDroplets(plain, actualOf(desired, owned)).map((s) => s.action)).toEqual(['noop', 'noop']);
  });

  it('warns when the firewall admits no IPv6 source, which would turn AAAA clients away', () => {
    const blocked = /no firewall\.inbound rule admits an IPv6 source/;
    const empty = (d: ReturnType<typeof fixture>) => actualOf(desiredDroplets(d)!, []);
    const v6 = withAaaa();
    expect(dropletsModule.warnings(empty(v6), v6).join('\n')).toMatch(blocked);
    const open = v6.firewall!.inbound.map((rule) => ({
      ...rule,
      sources: { addresses: ['0.0.0.0/0', '::/0'] },
    }));
    const opened = { ...v6, firewall: { ...v6.firewall!, inbound: open } };
    expect(dropletsModule.warnings(empty(opened), opened)).toEqual([]);
    const plain = fixture('droponly');
    expect(dropletsModule.warnings(empty(plain), plain)).toEqual([]);
  });

  it('gives DNS the public IPv6 addresses of the serving droplets, sorted', () => {
    const desired = desiredDroplets(withAaaa())!;
    const owned = [
      droplet(desired, 1, { ipv6: true, publicIpv6: '2001:db8::b' }),
      droplet(desired, 2, { ipv6: true, publicIpv6: '2001:db8::a' }),
      droplet(desired, 3, { status: 'new', ipv6: true, publicIpv6: undefined, publicIpv4: undefined }),
    ];
    expect(dropletFacts(actualOf(desired, owned))).toEqual({
      dropletIpv4: ['203.0.113.1', '203.0.113.2'],
      dropletIpv6: ['2001:db8::a', '2001:db8::b'],
    });
  });

  it("reads a droplet's public IPv6 address and whether IPv6 is on from DigitalOcean's answer", () => {
    const booting = flattenDroplet({
      id: 1,
      name: 'x',
      features: ['ipv6'],
      networks: { v4: [], v6: [] },
    } as never);
    expect([booting.ipv6, booting.publicIpv6]).toEqual([true, undefined]);
    const up = flattenDroplet({
      id: 1,
      name: 'x',
      features: ['ipv6'],
      networks: { v4: [], v6: [{ ipAddress: '2604:A880::1:1000', netmask: 64, type: 'public' }] },
    } as never);
    expect([up.ipv6, up.publicIpv6]).toEqual([true, '2604:a880::1:1000']);
    expect(flattenDroplet({ id: 1, name: 'x', features: ['monitoring'] } as never).ipv6).toBe(false);
  });
});
