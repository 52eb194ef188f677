import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Deployment } from '../../lib/config/manifest.js';
import { firewallModule } from '../../lib/resources/firewall/index.js';
import type { AppliedStep } from '../../lib/resources/types.js';
import { startTestEmulator, type TestEmulator } from '../support/emulator.js';
import { type TestContext, testContext } from '../support/op-context.js';

const NO_FACTS = { dropletIpv4: [] };
const everywhere = { addresses: ['0.0.0.0/0', '::/0'] };

describe('firewall against the emulator', () => {
  let t: TestEmulator;
  let tc: TestContext;

  beforeAll(async () => {
    t = await startTestEmulator();
    tc = testContext(t);
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

  async function converge(deployment: Deployment): Promise<AppliedStep[]> {
    const actual = await firewallModule.read(tc.ctx, deployment);
    const steps = firewallModule.plan(firewallModule.desired(deployment, NO_FACTS), actual);
    return firewallModule.apply(
      tc.ctx,
      deployment,
      steps.filter((s) => s.action !== 'noop'),
    );
  }

  async function firewalls() {
    const r = await t.dots.v2.firewalls.get();
    return r?.firewalls ?? [];
  }

  it('creates the firewall applied by tag, with the allow-all outbound default; a second run makes no mutating call', async () => {
    const deployment = tc.deployment('staging');
    expect(await converge(deployment)).toMatchObject([
      { kind: 'firewall', action: 'create', name: 'base2-staging-fw', outcome: 'ok' },
    ]);
    const [fw] = await firewalls();
    expect(fw).toMatchObject({ name: 'base2-staging-fw', tags: ['base2-staging'], dropletIds: [] });
    // deployment.yml names the ports the emulator's droplets answer on (DO_SSH_PORT, DO_HTTP_PORT).
    expect(fw?.inboundRules?.map((r) => r.ports).sort()).toEqual(
      [String(t.emu.sshPort), String(t.emu.httpPort), '443'].sort(),
    );
    expect(fw?.outboundRules?.map((r) => [r.protocol, r.ports])).toEqual(
      expect.arrayContaining([
        ['tcp', '0'],
        ['udp', '0'],
        ['icmp', '0'],
      ]),
    );

    await clearRequests();
    const actual = await firewallModule.read(tc.ctx, deployment);
    const steps = firewallModule.plan(firewallModule.desired(deployment, NO_FACTS), actual);
    expect(steps.map((s) => s.action)).toEqual(['noop']);
    expect(await converge(deployment)).toEqual([]);
    expect(await mutating()).toEqual([]);
    expect(firewallModule.warnings(actual, deployment)).toEqual([]);
  });

  it('creates the tag it needs only when missing, and takes a 422 to that create as the tag being there', async () => {
    const deployment = tc.deployment('staging');
    // Whether DigitalOcean answers 201 or 422 to a create of a tag that exists is not known.
    await t.admin('POST', '/_emulator/faults', {
      method: 'POST',
      path: '/v2/tags',
      mode: 'commit-then-error',
      status: 422,
      body: { id: 'unprocessable_entity', message: 'tag already exists' },
      count: 1,
    });
    expect(await converge(deployment)).toMatchObject([{ kind: 'firewall', action: 'create', outcome: 'ok' }]);
    expect((await firewalls())[0]?.tags).toEqual(['base2-staging']);

    await t.admin('POST', '/_emulator/reset');
    await t.dots.v2.tags.post({ name: 'base2-staging' });
    await clearRequests();
    await converge(deployment);
    expect((await mutating()).map((r) => `${r.method} ${r.path}`)).toEqual(['POST /v2/firewalls']);
  });

  it('covers droplets created later by their tag, and settles (waiting → succeeded) before it verifies', async () => {
    const deployment = tc.deployment('staging');
    await converge(deployment);
    const droplet = await t.dots.v2.droplets.post({
      name: 'base2-staging-1',
      region: 'nyc3',
      size: 's-1vcpu-1gb',
      image: 'debian-12-x64',
      tags: ['base2-staging', 'managed-by:base2-do'],
    } as never);
    const id = (droplet as { droplet?: { id?: number } })?.droplet?.id ?? 0;
    const covering = await t.dots.v2.droplets.byDroplet_id(id).firewalls.get();
    expect(covering?.firewalls?.map((f) => f.name)).toEqual(['base2-staging-fw']);

    await t.admin('POST', '/_emulator/clock', { advance_ms: 60_000 });
    const desired = firewallModule.desired(deployment, NO_FACTS)!;
    expect(await firewallModule.readiness!(tc.ctx, deployment, desired)).toEqual({ state: 'ready' });
    expect(await firewallModule.verify(tc.ctx, deployment, desired)).toMatchObject([
      { kind: 'firewall', name: 'base2-staging-fw', ok: true },
    ]);
  });

  it('a rule change is one PUT that replaces the whole firewall', async () => {
    const deployment = tc.deployment('staging');
    await converge(deployment);
    const changed: Deployment = {
      ...deployment,
      firewall: {
        inbound: [
          { protocol: 'tcp', ports: '443', sources: everywhere },
          { protocol: 'tcp', ports: '8080', sources: { addresses: ['10.0.0.0/8'] } },
        ],
        outbound: deployment.firewall!.outbound,
      },
    };
    await clearRequests();
    const actual = await firewallModule.read(tc.ctx, changed);
    const [step] = firewallModule.plan(firewallModule.desired(changed, NO_FACTS), actual);
    expect(step).toMatchObject({ action: 'update' });
    expect(step?.reason).toContain('+inbound tcp 8080 ← 10.0.0.0/8');
    expect(step?.reason).toContain(`-inbound tcp ${t.emu.sshPort}`);
    expect(await converge(changed)).toMatchObject([{ action: 'update', outcome: 'ok' }]);
    expect((await mutating()).map((r) => r.method)).toEqual(['PUT']);
    const [fw] = await firewalls();
    expect(fw?.inboundRules?.map((r) => r.ports).sort()).toEqual(['443', '8080']);
    expect(fw?.tags).toEqual(['base2-staging']);
    await clearRequests();
    expect(await converge(changed)).toEqual([]);
    expect(await mutating()).toEqual([]);
  });

  it('reports look-alikes and never touches them; teardown deletes only ours, and a second teardown has nothing to do', async () => {
    const rule = { protocol: 'tcp', ports: '22', sources: everywhere };
    await t.dots.v2.tags.post({ name: 'base2-staging' });
    await t.dots.v2.firewalls.post({
      name: 'base2-staging-fw-old',
      inboundRules: [rule],
      tags: ['base2-staging'],
    } as never);
    await t.dots.v2.firewalls.post({ name: 'base2-staging-eu-fw', inboundRules: [rule] } as never);
    const deployment = tc.deployment('staging');
    await converge(deployment);

    const actual = await firewallModule.read(tc.ctx, deployment);
    const warnings = firewallModule.warnings(actual, deployment);
    expect(warnings).toHaveLength(2);
    expect(warnings.join('\n')).toContain('base2-staging-fw-old');
    expect(warnings.join('\n')).toContain('left alone');

    const steps = firewallModule.destroy(actual);
    expect(steps).toMatchObject([{ action: 'delete', name: 'base2-staging-fw' }]);
    await firewallModule.apply(tc.ctx, deployment, steps);
    expect((await firewalls()).map((f) => f.name).sort()).toEqual([
      'base2-staging-eu-fw',
      'base2-staging-fw-old',
    ]);
    expect(firewallModule.destroy(await firewallModule.read(tc.ctx, deployment))).toEqual([]);
  });

  it('does not create over a firewall of our name that does not carry our tag, and says so', async () => {
    const rule = { protocol: 'tcp', ports: '22', sources: everywhere };
    await t.dots.v2.firewalls.post({ name: 'base2-staging-fw', inboundRules: [rule] } as never);
    const deployment = tc.deployment('staging');
    await clearRequests();
    expect(await converge(deployment)).toEqual([]);
    expect(await mutating()).toEqual([]);
    const actual = await firewallModule.read(tc.ctx, deployment);
    expect(firewallModule.warnings(actual, deployment).join()).toContain('cannot prove it owns it');
    expect(firewallModule.destroy(actual)).toEqual([]);
    const desired = firewallModule.desired(deployment, NO_FACTS)!;
    expect(await firewallModule.verify(tc.ctx, deployment, desired)).toMatchObject([
      { ok: false, detail: expect.stringContaining('does not own') },
    ]);
  });

  it('a create whose answer is lost leaves exactly one firewall', async () => {
    await t.admin('POST', '/_emulator/faults', {
      method: 'POST',
      path: '/v2/firewalls',
      mode: 'commit-then-drop',
      count: 1,
    });
    const deployment = tc.deployment('staging');
    expect(await converge(deployment)).toMatchObject([{ action: 'create', outcome: 'ok' }]);
    expect((await firewalls()).map((f) => f.name)).toEqual(['base2-staging-fw']);
    const creates = (await t.requests()).filter((r) => r.method === 'POST' && r.path === '/v2/firewalls');
    expect(creates.map((r) => r.status)).toEqual([0]);
    const record = tc.ctx.audit.records().find((r) => r.resource === 'firewall base2-staging-fw');
    expect(record).toMatchObject({ action: 'create', outcome: 'ok' });
  });
  it('never lets the token reach a log line or an audit record', () => {
    const written = [...tc.logs, JSON.stringify(tc.ctx.audit.records())].join('\n');
    expect(tc.ctx.audit.records().length).toBeGreaterThan(0);
    expect(written).not.toContain(t.emu.token);
  });
});
