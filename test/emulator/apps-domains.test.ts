import { request } from 'node:https';
import type { App_spec } from '@digitalocean/dots/src/dots/models/index.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { accountModule } from '../../emulator/resources/account.js';
import { appsModule } from '../../emulator/resources/apps/index.js';
import { domainsModule } from '../../emulator/resources/domains/index.js';
import { REALISTIC_TIMING } from '../../emulator/timing.js';
import { startTestEmulator, type TestEmulator } from '../support/emulator.js';

const { appPendingMs, appBuildMs, appDeployMs, appDomainVerifyMs, appDomainCertMs } = REALISTIC_TIMING;
const LIVE_AFTER = appPendingMs * 2 + appBuildMs + appDeployMs;
const ZONE = 'base2.example.com';
const HOST = `app.${ZONE}`;

const spec = (domains: App_spec['domains'] = [{ domain: HOST, type: 'ALIAS' }]): App_spec => ({
  name: 'base2-web',
  region: 'nyc',
  services: [
    { name: 'web', image: { registryType: 'DOCR', repository: 'base2', tag: 'v1' }, httpPort: 8080 },
  ],
  domains,
});

interface Answer {
  status: number;
  body: string;
}

/**
 * GET on the emulator's port as a browser that resolved `host` there would: TLS server name and
 * Host header both `host`, certificate checked against the emulator's CA for that name.
 */
function getAs(t: TestEmulator, host: string, path: string): Promise<Answer> {
  const api = new URL(t.emu.apiUrl);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: api.hostname,
        port: api.port,
        path,
        servername: host,
        headers: { host },
        ca: t.emu.caPem,
        agent: false,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('App Platform custom domains and host routing', () => {
  let t: TestEmulator;
  const advance = (ms: number) => t.admin('POST', '/_emulator/clock', { advance_ms: ms });
  const app = async (id: string) => (await t.dots.v2.apps.byApp_Id(id).get())!.app!;
  const phaseOf = async (id: string) => (await app(id)).domains?.[0]?.phase;
  const cname = (data: string, name = 'app') =>
    t.dots.v2.domains.byDomain_name(ZONE).records.post({ type: 'CNAME', name, data: `${data}.` });

  beforeAll(async () => {
    // Real time scale: phases change only when the test moves the clock.
    t = await startTestEmulator({
      timeScale: 1,
      timing: { apiLatencyMs: 0 },
      modules: [accountModule, domainsModule, appsModule],
    });
  });
  afterAll(async () => {
    await t?.stop();
  });
  beforeEach(async () => {
    await t.admin('POST', '/_emulator/reset');
  });

  async function liveApp(domains?: App_spec['domains']) {
    const created = (await t.dots.v2.apps.post({ spec: spec(domains) }))!.app!;
    await advance(LIVE_AFTER);
    const read = await app(created.id!);
    return { id: created.id!, ingress: new URL(read.defaultIngress!).hostname, liveUrl: read.liveUrl! };
  }

  it('keeps a domain of an account zone PENDING until its CNAME points at the default ingress, then validates it and issues its certificate', async () => {
    await t.dots.v2.domains.post({ name: ZONE });
    const { id, ingress } = await liveApp();
    expect(await phaseOf(id)).toBe('PENDING');
    await advance(appDomainVerifyMs + appDomainCertMs);
    expect(await phaseOf(id)).toBe('PENDING');

    await cname(ingress);
    expect(await phaseOf(id)).toBe('PENDING');
    await advance(appDomainVerifyMs);
    expect(await phaseOf(id)).toBe('CONFIGURING');
    await advance(appDomainCertMs);
    const domain = (await app(id)).domains![0]!;
    expect(domain.phase).toBe('ACTIVE');
    expect(domain.spec?.domain).toBe(HOST);
    expect(domain.certificateExpiresAt).toBeInstanceOf(Date);
  });

  it('keeps a domain PENDING while its CNAME points elsewhere, and starts over when the record goes before validation', async () => {
    await t.dots.v2.domains.post({ name: ZONE });
    const { id, ingress } = await liveApp();
    const other = (await cname('somewhere-else.example.net'))!.domainRecord!;
    await advance(appDomainVerifyMs + appDomainCertMs);
    expect(await phaseOf(id)).toBe('PENDING');

    await t.dots.v2.domains.byDomain_name(ZONE).records.byDomain_record_id(other.id!).delete();
    const ours = (await cname(ingress))!.domainRecord!;
    expect(await phaseOf(id)).toBe('PENDING');
    await t.dots.v2.domains.byDomain_name(ZONE).records.byDomain_record_id(ours.id!).delete();
    // DigitalOcean looks at DNS again before validating (the emulator, when the app is read).
    expect(await phaseOf(id)).toBe('PENDING');
    await advance(appDomainVerifyMs + appDomainCertMs);
    expect(await phaseOf(id)).toBe('PENDING');
  });

  it('treats a domain in no zone of the account as pointed by DNS it cannot see, and one with the zone set as managed by App Platform', async () => {
    const { id } = await liveApp([{ domain: 'app.elsewhere.example.org', type: 'ALIAS' }]);
    await advance(appDomainVerifyMs + 1);
    expect(await phaseOf(id)).toBe('CONFIGURING');
    await advance(appDomainCertMs);
    expect(await phaseOf(id)).toBe('ACTIVE');

    await t.admin('POST', '/_emulator/reset');
    await t.dots.v2.domains.post({ name: ZONE });
    const managed = await liveApp([{ domain: HOST, type: 'ALIAS', zone: ZONE }]);
    await advance(appDomainVerifyMs + appDomainCertMs);
    expect(await phaseOf(managed.id)).toBe('ACTIVE');
  });

  it('serves the live URL only for the default ingress and ACTIVE domains; any other host gets the edge 404', async () => {
    await t.dots.v2.domains.post({ name: ZONE });
    const { id, ingress, liveUrl } = await liveApp();
    const path = `${new URL(liveUrl).pathname}healthz`;

    // The emulator's own address stands for the app its path names.
    expect((await t.fetch(`${liveUrl}healthz`)).status).toBe(200);
    // The default ingress host, with its own certificate.
    const byIngress = await getAs(t, ingress, path);
    expect(byIngress.status).toBe(200);
    // A custom domain before its certificate: no certificate for the name.
    await cname(ingress);
    await expect(getAs(t, HOST, path)).rejects.toThrow(/altnames|certificate/i);
    await advance(appDomainVerifyMs + appDomainCertMs);
    expect(await phaseOf(id)).toBe('ACTIVE');
    const byDomain = await getAs(t, HOST, path);
    expect(byDomain.status).toBe(200);
    expect(JSON.parse(byDomain.body)).toMatchObject({ status: 'ok' });
    // The same path under a host no app serves (over a TLS name the certificate holds).
    const unknown = await new Promise<Answer>((resolve, reject) => {
      const api = new URL(t.emu.apiUrl);
      const req = request(
        {
          host: api.hostname,
          port: api.port,
          path,
          servername: 'localhost',
          headers: { host: 'nobody.example.com' },
          ca: t.emu.caPem,
          agent: false,
        },
        (res) => {
          let body = '';
          res.on('data', (c: Buffer) => {
            body += c.toString();
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toContain('nobody.example.com');

    // Removed from the spec: the host is no longer served.
    await t.dots.v2.apps.byApp_Id(id).put({ spec: spec([]) });
    await expect(getAs(t, HOST, path)).rejects.toThrow(/altnames|certificate/i);
  });

  it('routes a host to the app that holds it, whatever app the path names', async () => {
    const first = await liveApp([{ domain: 'one.example.org' }]);
    const second = (await t.dots.v2.apps.post({ spec: { ...spec([]), name: 'other-web' } }))!.app!;
    await advance(LIVE_AFTER + appDomainVerifyMs + appDomainCertMs);
    const otherLive = (await app(second.id!)).liveUrl!;
    const answer = await getAs(t, 'one.example.org', `${new URL(otherLive).pathname}`);
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ app: 'base2-web' });
    expect(first.id).not.toBe(second.id);
  });

  it('lets two apps list one domain and routes it to the first whose domain went ACTIVE; a wildcard domain serves its subdomains', async () => {
    const first = await liveApp([{ domain: 'shared.example.org', wildcard: true }]);
    await advance(appDomainVerifyMs);
    const second = (await t.dots.v2.apps.post({
      spec: { ...spec([{ domain: 'shared.example.org' }]), name: 'other-web' },
    }))!.app!;
    await advance(LIVE_AFTER + appDomainVerifyMs + appDomainCertMs);
    expect(await phaseOf(first.id)).toBe('ACTIVE');
    expect(await phaseOf(second.id!)).toBe('ACTIVE');
    const path = `${new URL(first.liveUrl).pathname}`;
    for (const host of ['shared.example.org', 'eu.shared.example.org']) {
      const answer = await getAs(t, host, path);
      expect(answer.status, host).toBe(200);
      expect(JSON.parse(answer.body)).toMatchObject({ app: 'base2-web' });
    }
  });

  it("refuses a domain that is not a host name and a second PRIMARY domain, naming App Platform's field", async () => {
    const refused = async (domains: App_spec['domains']) => {
      const response = await t.fetch(`${t.emu.apiUrl}/v2/apps`, {
        method: 'POST',
        headers: { authorization: `Bearer ${t.emu.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          spec: {
            name: 'base2-web',
            services: [{ name: 'web', image: { registry_type: 'DOCR', repository: 'base2' } }],
            domains,
          },
        }),
      });
      return { status: response.status, body: (await response.json()) as { id: string; message: string } };
    };
    const bad = await refused([{ domain: 'under_score.example.org' }]);
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain('domains.domain');
    const primaries = await refused([
      { domain: 'a.example.org', type: 'PRIMARY' },
      { domain: 'b.example.org', type: 'PRIMARY' },
    ]);
    expect(primaries.status).toBe(400);
    expect(primaries.body.message).toContain('domains.type');
    expect((await t.dots.v2.apps.get())?.apps ?? []).toEqual([]);
  });
});
