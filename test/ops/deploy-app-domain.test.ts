import { afterEach, describe, expect, it } from 'vitest';
import type { DeployResult } from '../../lib/ops/deploy/index.js';
import { deployOperation } from '../../lib/ops/deploy/index.js';
import { type EditResult, editOperation } from '../../lib/ops/edit/index.js';
import { type InfoResult, infoOperation } from '../../lib/ops/info/index.js';
import { type MaintainResult, maintainOperation } from '../../lib/ops/maintain/index.js';
import { hostCheck } from '../../lib/resources/app/domain-check.js';
import { appModule, findApp } from '../../lib/resources/app/index.js';
import { startTestEmulator, type TestEmulator } from '../support/emulator.js';
import { testContext } from '../support/op-context.js';
import { mutatingCalls, runOp, seedRegistry, USERS_SECRET_KEY } from './support.js';

const MANIFEST = { BASE2_MANIFEST: 'test/ops/fixtures/deployment.yml' };
const ZONE = 'staging.base2.example.com';
const HOST = `app.${ZONE}`;
let t: TestEmulator;

afterEach(async () => {
  await t?.stop();
});

const deploy = (input: Record<string, unknown>, options: { timeoutMs?: number } = {}) =>
  runOp<DeployResult>(t, deployOperation, input, { env: MANIFEST, ...options });

async function appSpecDomains() {
  const apps = await t.dots.v2.apps.get({ queryParameters: { perPage: 200 } });
  const app = apps?.apps?.find((a) => a.spec?.name === 'base2-staging');
  return { spec: app?.spec?.domains, state: app?.domains };
}

describe('deploy of an app that a DNS record points at', () => {
  it('adds the host to the app spec, waits for the domain and verifies the app through it; no drift after, and an edit keeps it', async () => {
    t = await startTestEmulator({ timeScale: 400 });
    await seedRegistry(t);
    const first = await deploy({ env: 'staging' });
    expect(first.report.status, JSON.stringify(first.report.result.failure)).toBe('succeeded');

    const { spec, state } = await appSpecDomains();
    expect(spec).toEqual([{ domain: HOST, type: 'ALIAS' }]);
    expect(state?.map((d) => d.phase)).toEqual(['ACTIVE']);
    const through = first.report.result.checks.find((c) => c.name === `base2-staging at ${HOST}`);
    expect(through, JSON.stringify(first.report.result.checks)).toMatchObject({ ok: true });
    expect(through!.detail).toMatch(
      new RegExp(
        `^GET https://${HOST.replaceAll('.', '\\.')}:\\d+/_emulator/live/.+ \\(at the app's ingress 127\\.0\\.0\\.1\\) answered 200`,
      ),
    );

    const second = await deploy({ env: 'staging' });
    expect(second.report.status).toBe('noop');
    expect(mutatingCalls(second.report)).toBe(0);

    // Not drift: maintain and info see the app as deployment.yml wants it.
    const maintained = await runOp<MaintainResult>(
      t,
      maintainOperation,
      { report_only: true },
      { env: MANIFEST },
    );
    expect(maintained.report.result.drift).toEqual([]);
    const info = await runOp<InfoResult>(t, infoOperation, {}, { env: MANIFEST });
    expect(info.report.result.apps[0]?.differences).toBeUndefined();

    // An edit patches the spec App Platform holds: the domain stays, and the edit is verified through it.
    const edited = await runOp<EditResult>(
      t,
      editOperation,
      { set_env: { FEATURE_X: 'on' } },
      { env: MANIFEST },
    );
    expect(edited.report.status, JSON.stringify(edited.report.result.failure)).toBe('succeeded');
    expect((await appSpecDomains()).spec).toEqual([{ domain: HOST, type: 'ALIAS' }]);
    expect(edited.report.result.checks.find((c) => c.name === `base2-staging at ${HOST}`)?.ok).toBe(true);
  });

  it('answers in_progress while App Platform validates the domain, says why it waits, and the next call finishes', async () => {
    // Validation takes 3 s of real time at this scale: longer than the first call may wait.
    const verifyMs = 1_200_000;
    t = await startTestEmulator({ timeScale: 400, timing: { appDomainVerifyMs: verifyMs } });
    await seedRegistry(t);
    const first = await deploy({ env: 'staging' }, { timeoutMs: 2500 });
    expect(first.report.status, JSON.stringify(first.report.result)).toBe('in_progress');
    const detail = first.report.result.progress?.detail ?? '';
    expect(detail).toContain(`App Platform reports the domain ${HOST} PENDING, not yet ACTIVE`);
    expect(detail).toMatch(
      /its CNAME to base2-staging-[a-z0-9]+\.ondigitalocean\.app is in place, but DigitalOcean checks public DNS/,
    );
    expect(detail).toContain(`if ${ZONE} is not delegated to ns1.digitalocean.com`);

    // Meanwhile, the host is not served: no certificate for it yet.
    const tc = testContext(t, { env: { ...MANIFEST, BASE2_SECRET_KEY: USERS_SECRET_KEY }, timeoutMs: 5_000 });
    const deployment = tc.deployment('staging');
    const desired = appModule.desired(deployment, { dropletIpv4: [] })!;
    const app = (await findApp(tc.ctx, 'base2-staging'))!;
    const early = await hostCheck(tc.ctx, app, desired, HOST, [HOST]);
    expect(early.ok).toBe(false);
    expect(early.detail).toMatch(/got no answer.*(certificate|altnames)/i);

    // A record moved elsewhere by hand is named when the wait runs out.
    const records = await t.dots.v2.domains
      .byDomain_name(ZONE)
      .records.get({ queryParameters: { perPage: 200 } });
    const cname = (records?.domainRecords ?? []).find((r) => r.type === 'CNAME');
    await t.dots.v2.domains
      .byDomain_name(ZONE)
      .records.byDomain_record_id(cname!.id!)
      .put({ type: 'CNAME', data: 'elsewhere.example.net.' } as never);
    const short = testContext(t, {
      env: { ...MANIFEST, BASE2_SECRET_KEY: USERS_SECRET_KEY },
      timeoutMs: 300,
    });
    const checks = await appModule.verify(short.ctx, deployment, desired);
    expect(checks.at(-1)).toMatchObject({ ok: false, pending: true });
    expect(checks.at(-1)!.detail).toMatch(/its CNAME points at elsewhere\.example\.net, not base2-staging-/);
    await Promise.all([tc.close(), short.close()]);

    // The next deploy points the record back and waits: the domain is validated (from the moment
    // DigitalOcean sees the record again) and the app verified through it.
    const second = await deploy({ env: 'staging', resume: first.report.result.resume });
    expect(second.report.status, JSON.stringify(second.report.result)).toBe('succeeded');
    expect(second.report.result.checks.find((c) => c.name === `base2-staging at ${HOST}`)?.ok).toBe(true);
  });
});
