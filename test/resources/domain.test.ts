import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Deployment } from '../../lib/config/manifest.js';
import { domainModule } from '../../lib/resources/domain/index.js';
import type { AppliedStep, Facts } from '../../lib/resources/types.js';
import { startTestEmulator, type TestEmulator } from '../support/emulator.js';
import { type TestContext, testContext } from '../support/op-context.js';

const DOMAIN = 'staging.base2.example.com';
const APP_HOST = 'base2-staging-x1y2.ondigitalocean.app';
const facts: Facts = { dropletIpv4: ['203.0.113.10', '203.0.113.11'], appHost: APP_HOST };

describe('domain and records against the emulator', () => {
  let t: TestEmulator;
  let tc: TestContext;
  let deployment: Deployment;

  beforeAll(async () => {
    t = await startTestEmulator();
    tc = testContext(t);
    deployment = tc.deployment('staging');
  });
  afterAll(async () => {
    await tc?.close();
    await t?.stop();
  });
  beforeEach(async () => {
    await t.admin('POST', '/_emulator/reset');
  });

  const mutating = async () => (await t.requests()).filter((r) => r.method !== 'GET');
  const clearRequests = () => t.admin('DELETE', '/_emulator/requests');

  async function converge(withFacts: Facts): Promise<AppliedStep[]> {
    const actual = await domainModule.read(tc.ctx, deployment);
    const steps = domainModule.plan(domainModule.desired(deployment, withFacts), actual);
    return domainModule.apply(
      tc.ctx,
      deployment,
      steps.filter((s) => s.action !== 'noop'),
    );
  }

  async function teardown(): Promise<AppliedStep[]> {
    return domainModule.apply(
      tc.ctx,
      deployment,
      domainModule.destroy(await domainModule.read(tc.ctx, deployment)),
    );
  }

  /** `TYPE name data` for every record of the zone, as DigitalOcean serves them. */
  async function zone(): Promise<string[]> {
    const r = await t.dots.v2.domains.byDomain_name(DOMAIN).records.get();
    return (r?.domainRecords ?? []).map((x) => `${x.type} ${x.name} ${x.data}`).sort();
  }

  it('creates the domain with its marker, A records for two droplets and a CNAME to the app; a second run changes nothing', async () => {
    const applied = await converge(facts);
    expect(applied[0]).toMatchObject({ kind: 'domain', action: 'create', name: DOMAIN, outcome: 'ok' });
    expect(await zone()).toEqual([
      'A @ 203.0.113.10',
      'A @ 203.0.113.11',
      'A www 203.0.113.10',
      'A www 203.0.113.11',
      `CNAME app ${APP_HOST}`,
      'NS @ ns1.digitalocean.com',
      'NS @ ns2.digitalocean.com',
      'NS @ ns3.digitalocean.com',
      'SOA @ 1800',
      'TXT _base2-do managed-by:base2-do base2-staging',
    ]);
    const desired = domainModule.desired(deployment, facts)!;
    const checks = await domainModule.verify(tc.ctx, deployment, desired);
    expect(checks.every((c) => c.ok)).toBe(true);
    expect(checks[0]?.detail).toContain('no DNS resolver');

    await clearRequests();
    const actual = await domainModule.read(tc.ctx, deployment);
    expect(domainModule.plan(desired, actual).every((s) => s.action === 'noop')).toBe(true);
    expect(domainModule.warnings(actual, deployment)).toEqual([]);
    expect(await converge(facts)).toEqual([]);
    expect(await mutating()).toEqual([]);
  });

  it('creates the domain before the droplets exist, and the droplet and app records once they do', async () => {
    await converge({ dropletIpv4: [] });
    expect(await zone()).not.toContain('A www 203.0.113.10');
    const pending = await domainModule.verify(
      tc.ctx,
      deployment,
      domainModule.desired(deployment, { dropletIpv4: [] })!,
    );
    expect(pending.filter((c) => !c.ok).map((c) => c.detail)).toContain(
      'waiting for active droplets with public IPv4 addresses',
    );
    await converge(facts);
    expect(await zone()).toContain('A www 203.0.113.11');
  });

  it('replaces a droplet’s record when its address changes (data always sent with the update)', async () => {
    await converge(facts);
    await clearRequests();
    const applied = await converge({ ...facts, dropletIpv4: ['203.0.113.10', '203.0.113.12'] });
    expect(applied.map((a) => [a.action, a.name, a.outcome])).toEqual([
      ['update', 'A @', 'ok'],
      ['update', 'A www', 'ok'],
    ]);
    expect((await mutating()).map((r) => r.method)).toEqual(['PUT', 'PUT']);
    const records = await zone();
    expect(records).toContain('A www 203.0.113.12');
    expect(records).not.toContain('A www 203.0.113.11');
  });

  it('teardown deletes a domain it created in one call; a second teardown has nothing to do', async () => {
    await converge(facts);
    await clearRequests();
    expect(await teardown()).toMatchObject([
      { kind: 'domain', action: 'delete', name: DOMAIN, outcome: 'ok' },
    ]);
    expect((await mutating()).map((r) => `${r.method} ${r.path}`)).toEqual([`DELETE /v2/domains/${DOMAIN}`]);
    const after = await domainModule.read(tc.ctx, deployment);
    expect(after.exists).toBe(false);
    expect(domainModule.destroy(after)).toEqual([]);
  });

  it('never deletes a domain it did not create: only its own records go, and the others stay', async () => {
    await t.dots.v2.domains.post({ name: DOMAIN });
    const records = t.dots.v2.domains.byDomain_name(DOMAIN).records;
    await records.post({ type: 'MX', name: '@', data: 'mail.example.net.', priority: 10 });
    await records.post({ type: 'A', name: 'www', data: '198.51.100.9' });

    const before = await domainModule.read(tc.ctx, deployment);
    const warnings = domainModule.warnings(before, deployment, domainModule.desired(deployment, facts));
    expect(warnings.join()).toContain('A www.staging.base2.example.com points at 198.51.100.9');

    const applied = await converge(facts);
    expect(applied.some((a) => a.kind === 'domain')).toBe(false);
    expect(await zone()).not.toContain('TXT _base2-do managed-by:base2-do base2-staging');
    expect(await zone()).not.toContain('A www 198.51.100.9');

    const removed = await teardown();
    expect(removed.every((a) => a.kind === 'record' && a.action === 'delete')).toBe(true);
    expect(await zone()).toEqual([
      'MX @ mail.example.net',
      'NS @ ns1.digitalocean.com',
      'NS @ ns2.digitalocean.com',
      'NS @ ns3.digitalocean.com',
      'SOA @ 1800',
    ]);
    expect(domainModule.destroy(await domainModule.read(tc.ctx, deployment))).toEqual([]);
  });

  it('keeps a domain it created once someone else adds a record to it, removing only its own', async () => {
    await converge(facts);
    await t.dots.v2.domains
      .byDomain_name(DOMAIN)
      .records.post({ type: 'TXT', name: 'google', data: 'site-verification' });
    await teardown();
    expect(await zone()).toContain('TXT google site-verification');
    expect((await zone()).filter((r) => r.startsWith('A ') || r.startsWith('CNAME '))).toEqual([]);
    expect(domainModule.destroy(await domainModule.read(tc.ctx, deployment))).toEqual([]);
  });

  it('creates planned records without looking each one up first: one zone read, one POST each', async () => {
    const actual = await domainModule.read(tc.ctx, deployment);
    const steps = domainModule.plan(domainModule.desired(deployment, facts), actual);
    await clearRequests();
    await domainModule.apply(
      tc.ctx,
      deployment,
      steps.filter((s) => s.action !== 'noop'),
    );
    const requests = await t.requests();
    const recordPosts = requests.filter((r) => r.method === 'POST' && r.path.endsWith('/records'));
    // The domain, its marker and five records (two A @, two A www, one CNAME).
    expect(recordPosts).toHaveLength(6);
    expect(requests.filter((r) => r.method === 'GET' && r.path.endsWith('/records'))).toHaveLength(0);
  });

  it('a record create whose answer is lost leaves exactly one record', async () => {
    await converge({ dropletIpv4: [] });
    await clearRequests();
    await t.admin('POST', '/_emulator/faults', {
      method: 'POST',
      path: `/v2/domains/${DOMAIN}/records`,
      mode: 'commit-then-error',
      status: 500,
      count: 1,
    });
    await converge({ dropletIpv4: ['203.0.113.10'] });
    const answered = (await t.requests()).filter((r) => r.method === 'POST' && r.path.endsWith('/records'));
    expect(answered.map((r) => r.status).sort()).toEqual([201, 500]);
    const records = await zone();
    expect(records.filter((r) => r === 'A @ 203.0.113.10')).toHaveLength(1);
    expect(records.filter((r) => r === 'A www 203.0.113.10')).toHaveLength(1);
  });
  it('never lets the token reach a log line or an audit record', () => {
    const written = [...tc.logs, JSON.stringify(tc.ctx.audit.records())].join('\n');
    expect(tc.ctx.audit.records().length).toBeGreaterThan(0);
    expect(written).not.toContain(t.emu.token);
  });
});
