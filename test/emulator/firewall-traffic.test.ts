import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { admits } from '../../emulator/resources/firewalls/inbound.js';
import { firewallsModule } from '../../emulator/resources/firewalls/index.js';
import { emptyTarget, type Rule } from '../../emulator/resources/firewalls/rules.js';
import { REALISTIC_TIMING as T } from '../../emulator/timing.js';
import {
  type DropletTestEmulator,
  dropletModules,
  dropletWithKey,
  type KeyedDroplet,
  startDropletEmulator,
} from './fixtures/droplet-emulator.js';
import { probe } from './fixtures/http-probe.js';
import { connect } from './fixtures/ssh-client.js';

const SILENT_MS = 300;
const UP_MS = T.dropletBootMs + T.cloudInitStartMs + T.imagePullMs + T.containerStartMs;

describe('cloud firewalls applied to droplet traffic', () => {
  let t: DropletTestEmulator;
  let web: KeyedDroplet;
  let other: KeyedDroplet;

  const userData = () =>
    `#cloud-config\nruncmd:\n  - [docker, run, -d, -p, '${t.emu.httpPort}:80', nginx:1.27]\n`;
  const firewall = async (body: Record<string, unknown>) => {
    const response = await t.api('POST', '/v2/firewalls', { name: 'fw', ...body });
    expect(response.status).toBe(202);
    return ((await response.json()) as { firewall: { id: string } }).firewall.id;
  };
  const rule = (ports: string | number, sources: Record<string, unknown>) => ({
    protocol: 'tcp',
    ports: String(ports),
    sources,
  });
  /** What a client at 127.0.0.1 gets from the droplet: HTTP status or failure, SSH login or failure. */
  const reach = async (d: KeyedDroplet) => {
    const http = await probe(d.ip!, t.emu.httpPort, '/', { timeoutMs: SILENT_MS });
    const ssh = await connect(d.ip!, t.emu.sshPort, d.pair.private, { readyTimeout: SILENT_MS }).then(
      (client) => {
        client.end();
        return 'login';
      },
      (error: Error) => (/timed out/i.test(error.message) ? 'silent' : 'refused'),
    );
    return { http: 'status' in http ? http.status : http.failed, ssh };
  };

  beforeAll(async () => {
    t = await startDropletEmulator({
      checkSpec: false,
      timing: { apiLatencyMs: 0 },
      modules: [...dropletModules, firewallsModule],
    });
  });
  afterAll(async () => {
    await t?.stop();
  });
  beforeEach(async () => {
    await t.admin('POST', '/_emulator/reset');
    web = await dropletWithKey(t, 'web', { image: 'docker-20-04', userData: userData(), tags: ['web'] });
    other = await dropletWithKey(t, 'other', { image: 'docker-20-04', userData: userData() });
    await t.advance(UP_MS);
    for (const d of [web, other]) {
      const droplet = (await t.dots.v2.droplets.byDroplet_id(d.id).get())!.droplet!;
      d.ip = droplet.networks?.v4?.find((n) => n.type === 'public')?.ipAddress ?? undefined;
    }
  });

  it('drops SSH and HTTP that no inbound rule allows: the caller hears nothing; droplets it does not cover stay open', async () => {
    await firewall({ tags: ['web'], inbound_rules: [rule(443, { addresses: ['0.0.0.0/0', '::/0'] })] });
    expect(await reach(web)).toEqual({ http: 'silent', ssh: 'silent' });
    expect(await reach(other)).toEqual({ http: 200, ssh: 'login' });
  });

  it('lets in what a rule allows from the caller’s address, on the port numbers the emulator answers on', async () => {
    const fw = await firewall({
      droplet_ids: [web.id],
      inbound_rules: [
        rule(t.emu.httpPort, { addresses: ['127.0.0.0/8'] }),
        rule(`${t.emu.sshPort - 1}-${t.emu.sshPort + 1}`, { addresses: ['127.0.0.1'] }),
      ],
    });
    expect(await reach(web)).toEqual({ http: 200, ssh: 'login' });
    // A PUT replaces the rules at once: now only every port from everywhere over IPv6.
    const put = await t.api('PUT', `/v2/firewalls/${fw}`, {
      name: 'fw',
      droplet_ids: [web.id],
      inbound_rules: [rule('all', { addresses: ['::/0'] })],
    });
    expect(put.status).toBe(200);
    expect(await reach(web)).toEqual({ http: 'silent', ssh: 'silent' });
    await t.api('PUT', `/v2/firewalls/${fw}`, {
      name: 'fw',
      droplet_ids: [web.id],
      inbound_rules: [rule('all', { addresses: ['0.0.0.0/0'] })],
    });
    expect(await reach(web)).toEqual({ http: 200, ssh: 'login' });
  });

  it('never lets the caller in through sources that are not addresses', async () => {
    await firewall({
      tags: ['web'],
      inbound_rules: [rule('all', { tags: ['web'], droplet_ids: [other.id] })],
    });
    expect(await reach(web)).toEqual({ http: 'silent', ssh: 'silent' });
  });

  it('combines every firewall covering a droplet, by id or by tag; deleting one takes its rules away', async () => {
    const byId = await firewall({
      droplet_ids: [web.id],
      inbound_rules: [rule(t.emu.sshPort, { addresses: ['0.0.0.0/0'] })],
    });
    await t.api('POST', '/v2/firewalls', {
      name: 'fw-http',
      tags: ['web'],
      inbound_rules: [rule(t.emu.httpPort, { addresses: ['0.0.0.0/0'] })],
    });
    expect(await reach(web)).toEqual({ http: 200, ssh: 'login' });
    await t.api('DELETE', `/v2/firewalls/${byId}`);
    expect(await reach(web)).toEqual({ http: 200, ssh: 'silent' });
  });
});

describe('which inbound rules admit a caller', () => {
  const tcp = (ports: string, addresses: string[]): Rule => ({
    protocol: 'tcp',
    ports,
    target: { ...emptyTarget(), addresses },
  });
  const droplet = { id: 7, tags: ['web'] };

  it('matches the protocol, the port (one, a range, or all) and the address family', () => {
    const fw = (inbound: Rule[]) => [{ dropletIds: [7], tags: [], inbound }];
    expect(admits(fw([tcp('80', ['0.0.0.0/0'])]), droplet, 80, '198.51.100.9')).toBe(true);
    expect(admits(fw([tcp('80', ['0.0.0.0/0'])]), droplet, 81, '198.51.100.9')).toBe(false);
    expect(admits(fw([tcp('8000-9000', ['198.51.100.0/24'])]), droplet, 8080, '::ffff:198.51.100.9')).toBe(
      true,
    );
    expect(admits(fw([tcp('0', ['::/0'])]), droplet, 22, '198.51.100.9')).toBe(false);
    expect(admits(fw([tcp('0', ['::/0'])]), droplet, 22, '2001:db8::1')).toBe(true);
    expect(admits(fw([{ ...tcp('0', ['0.0.0.0/0']), protocol: 'udp' }]), droplet, 22, '198.51.100.9')).toBe(
      false,
    );
    expect(admits(fw([]), droplet, 22, '198.51.100.9')).toBe(false);
  });

  it('leaves a droplet no firewall covers open', () => {
    const elsewhere = [{ dropletIds: [8], tags: ['db'], inbound: [] }];
    expect(admits(elsewhere, droplet, 22, '198.51.100.9')).toBe(true);
    expect(admits([{ dropletIds: [], tags: ['web'], inbound: [] }], droplet, 22, '198.51.100.9')).toBe(false);
  });
});
