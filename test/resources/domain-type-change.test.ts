/**
 * Changing what a DNS name is — an A record at `app` becoming a CNAME to the app, or back — against
 * the emulator, which refuses a CNAME beside another record (and any record beside a CNAME) as
 * DigitalOcean does. The record in the way goes first; a failure between leaves what the next
 * deploy converges. And a domain another account holds stops the apply before any record.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Deployment } from '../../lib/config/manifest.js';
import { ConflictError } from '../../lib/errors.js';
import { domainModule } from '../../lib/resources/domain/index.js';
import type { AppliedStep, Facts } from '../../lib/resources/types.js';
import { startTestEmulator, type TestEmulator } from '../support/emulator.js';
import { type TestContext, testContext } from '../support/op-context.js';

const DOMAIN = 'staging.base2.example.com';
const APP_HOST = 'base2-staging-x1y2.ondigitalocean.app';
const facts: Facts = { dropletIpv4: ['203.0.113.10'], appHost: APP_HOST };
type ManifestRecord = NonNullable<Deployment['domain']>['records'][number];

describe('a DNS name that changes type', () => {
  let t: TestEmulator;
  let tc: TestContext;
  let staging: Deployment;
  let asA: Deployment;
  let asCname: Deployment;

  beforeAll(async () => {
    t = await startTestEmulator();
    tc = testContext(t);
    staging = tc.deployment('staging');
    asA = withRecords([{ type: 'A', name: 'app', target: 'droplets' }]);
    asCname = withRecords([{ type: 'CNAME', name: 'app', target: 'app' }]);
  });
  afterAll(async () => {
    await tc?.close();
    await t?.stop();
  });
  beforeEach(async () => {
    await t.admin('POST', '/_emulator/reset');
  });

  const withRecords = (records: ManifestRecord[]): Deployment => ({
    ...staging,
    domain: { ...staging.domain!, records },
  });

  async function converge(deployment: Deployment): Promise<AppliedStep[]> {
    const actual = await domainModule.read(tc.ctx, deployment);
    const steps = domainModule.plan(domainModule.desired(deployment, facts), actual);
    return domainModule.apply(
      tc.ctx,
      deployment,
      steps.filter((s) => s.action !== 'noop'),
    );
  }
  const planned = async (deployment: Deployment) =>
    domainModule
      .plan(domainModule.desired(deployment, facts), await domainModule.read(tc.ctx, deployment))
      .filter((s) => s.action !== 'noop');

  /** The records at `app`, as DigitalOcean serves them. */
  async function atApp(): Promise<string[]> {
    const r = await t.dots.v2.domains.byDomain_name(DOMAIN).records.get();
    return (r?.domainRecords ?? []).filter((x) => x.name === 'app').map((x) => `${x.type} ${x.data}`);
  }
  /** The record writes DigitalOcean answered, in order. */
  async function writes(): Promise<string[]> {
    return (await t.requests())
      .filter((r) => r.method !== 'GET' && r.path.includes('/records'))
      .map((r) => `${r.method} ${r.status}`);
  }
  const fault = (method: string, status: number) =>
    t.admin('POST', '/_emulator/faults', {
      method,
      path: `/v2/domains/${DOMAIN}/records${method === 'POST' ? '' : '/*'}`,
      mode: 'error',
      status,
      count: 1,
    });

  it('an A record becoming a CNAME: the A is deleted first, then the CNAME created, and nothing is left to do', async () => {
    await converge(asA);
    expect(await atApp()).toEqual(['A 203.0.113.10']);
    const warnings = domainModule.warnings(
      await domainModule.read(tc.ctx, asCname),
      asCname,
      domainModule.desired(asCname, facts),
    );
    expect(warnings.join()).toContain('CNAME app.staging.base2.example.com replaces A app (203.0.113.10)');

    await t.admin('DELETE', '/_emulator/requests');
    const applied = await converge(asCname);
    expect(applied.map((a) => [a.action, a.name, a.outcome])).toEqual([
      ['delete', 'A app', 'ok'],
      ['create', 'CNAME app', 'ok'],
    ]);
    expect(await writes()).toEqual(['DELETE 204', 'POST 201']);
    expect(await atApp()).toEqual([`CNAME ${APP_HOST}`]);
    expect(await planned(asCname)).toEqual([]);
  });

  it('a CNAME becoming A records: the CNAME goes first, then the A records are created', async () => {
    await converge(asCname);
    await t.admin('DELETE', '/_emulator/requests');
    const twoDroplets = { ...facts, dropletIpv4: ['203.0.113.10', '203.0.113.11'] };
    const actual = await domainModule.read(tc.ctx, asA);
    const steps = domainModule
      .plan(domainModule.desired(asA, twoDroplets), actual)
      .filter((s) => s.action !== 'noop');
    expect(steps.map((s) => [s.action, s.name])).toEqual([
      ['delete', 'CNAME app'],
      ['create', 'A app'],
      ['create', 'A app'],
    ]);
    await domainModule.apply(tc.ctx, asA, steps);
    expect(await writes()).toEqual(['DELETE 204', 'POST 201', 'POST 201']);
    expect((await atApp()).sort()).toEqual(['A 203.0.113.10', 'A 203.0.113.11']);
  });

  it('a create refused after the delete leaves the name empty, and the next deploy creates it', async () => {
    await converge(asA);
    await fault('POST', 422);
    await expect(converge(asCname)).rejects.toThrow(/422/);
    expect(await atApp()).toEqual([]);
    await converge(asCname);
    expect(await atApp()).toEqual([`CNAME ${APP_HOST}`]);
    expect(await planned(asCname)).toEqual([]);
  });

  it('a delete that fails writes nothing after it: the old record stays until the next deploy replaces it', async () => {
    await converge(asA);
    await fault('DELETE', 422);
    await t.admin('DELETE', '/_emulator/requests');
    await expect(converge(asCname)).rejects.toThrow(/422/);
    expect(await writes()).toEqual(['DELETE 422']);
    expect(await atApp()).toEqual(['A 203.0.113.10']);
    await converge(asCname);
    expect(await atApp()).toEqual([`CNAME ${APP_HOST}`]);
  });

  it('leaves alone a record at the name that points nowhere, and the warning says the CNAME cannot be written', async () => {
    await converge(withRecords([]));
    await t.dots.v2.domains
      .byDomain_name(DOMAIN)
      .records.post({ type: 'TXT', name: 'app', data: 'site-verification=abc' });
    const warnings = domainModule.warnings(
      await domainModule.read(tc.ctx, asCname),
      asCname,
      domainModule.desired(asCname, facts),
    );
    expect(warnings.join()).toContain('CNAME app.staging.base2.example.com cannot be written: TXT app');
    expect((await planned(asCname)).map((s) => [s.action, s.name])).toEqual([['create', 'CNAME app']]);
    await expect(converge(asCname)).rejects.toThrow(/CNAME records cannot share a name with other records/);
    expect(await atApp()).toEqual(['TXT site-verification=abc']);
  });
});

describe('a domain another DigitalOcean account holds', () => {
  let t: TestEmulator;
  let tc: TestContext;

  beforeAll(async () => {
    t = await startTestEmulator({ heldDomains: [DOMAIN] });
    tc = testContext(t);
  });
  afterAll(async () => {
    await tc?.close();
    await t?.stop();
  });

  it('is refused when added: the apply stops there, naming the domain and what to do, and writes no record', async () => {
    const deployment = tc.deployment('staging');
    const actual = await domainModule.read(tc.ctx, deployment);
    expect(actual.exists).toBe(false);
    const steps = domainModule.plan(domainModule.desired(deployment, facts), actual);
    // No read shows it held elsewhere: the plan can only say so.
    expect(steps[0]).toMatchObject({
      kind: 'domain',
      action: 'create',
      reason: expect.stringContaining('another account'),
    });

    const error = await domainModule.apply(tc.ctx, deployment, steps).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConflictError);
    const sentence = (error as ConflictError).describe();
    expect(sentence).toContain(`Domain ${DOMAIN} is held by another DigitalOcean account`);
    expect(sentence).toContain("domain 'staging.base2.example.com': name already exists");
    expect(sentence).toContain('set domain.name in deployment.yml to a domain you hold');
    const requests = await t.requests();
    expect(requests.filter((r) => r.method === 'POST').map((r) => `${r.path} ${r.status}`)).toEqual([
      '/v2/domains 422',
    ]);
  });
});
