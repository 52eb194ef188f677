import type { createDigitalOceanClient } from '@digitalocean/dots';
import type { App_spec } from '@digitalocean/dots/src/dots/models/index.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { accountModule } from '../../emulator/resources/account.js';
import { appsModule } from '../../emulator/resources/apps/index.js';
import { startTestEmulator, type TestEmulator } from '../support/emulator.js';

type Dots = ReturnType<typeof createDigitalOceanClient>;

async function failure(call: Promise<unknown>): Promise<{ status: number; message?: string }> {
  try {
    await call;
  } catch (error) {
    const e = error as { responseStatusCode?: number; messageEscaped?: string };
    return { status: e.responseStatusCode ?? 0, message: e.messageEscaped };
  }
  throw new Error('expected the call to fail');
}

const spec = (tag = 'v1'): App_spec => ({
  name: 'base2-web',
  region: 'nyc',
  services: [
    {
      name: 'web',
      image: { registryType: 'DOCR', repository: 'base2', tag },
      instanceCount: 1,
      instanceSizeSlug: 'apps-s-1vcpu-0.5gb',
    },
  ],
});

/** Pending 5 s, build 60 s, pending 5 s, deploy 30 s (the realistic profile): live after 100 s. */
const LIVE_AFTER = 101_000;

describe('App Platform rollbacks', () => {
  let t: TestEmulator;
  let dots: Dots;

  beforeAll(async () => {
    // Real time scale: phase boundaries are crossed only by explicit clock advances (and no API latency).
    t = await startTestEmulator({
      timeScale: 1,
      timing: { apiLatencyMs: 0 },
      modules: [accountModule, appsModule],
    });
    dots = t.dots;
  });
  afterAll(async () => {
    await t?.stop();
  });
  beforeEach(async () => {
    await t.admin('POST', '/_emulator/reset');
  });

  const advance = (ms: number) => t.admin('POST', '/_emulator/clock', { advance_ms: ms });
  const create = async (s = spec()) => (await dots.v2.apps.post({ spec: s }))!.app!;
  const app = (id: string) => dots.v2.apps.byApp_Id(id);
  const update = async (appId: string, s: App_spec) => (await app(appId).put({ spec: s }))!.app!;
  const liveImage = async (appId: string) => {
    const response = await t.fetch(`${t.emu.apiUrl}/_emulator/live/${appId}/`);
    return response.status === 200
      ? ((await response.json()) as { image: string; deployment_id: string })
      : response.status;
  };

  const twoVersions = async () => {
    const created = await create();
    const v1 = created.pendingDeployment!.id!;
    await advance(LIVE_AFTER);
    const v2 = (await update(created.id!, spec('v2'))).pendingDeployment!.id!;
    await advance(LIVE_AFTER);
    return { id: created.id!, v1, v2 };
  };

  it('validates, rolls back with a pin, refuses new deployments while pinned, then reverts', async () => {
    const { id, v1, v2 } = await twoVersions();
    const one = app(id);
    const check = (await one.rollback.validate.post({ deploymentId: v1 }))!;
    expect(check.valid).toBe(true);
    expect(check.warnings?.map((w) => w.code)).toEqual(['image_source_missing_digest']);
    expect((await one.rollback.validate.post({ deploymentId: v2 }))!.errorEscaped?.code).toBe(
      'incompatible_phase',
    );

    const rollback = (await one.rollback.post({ deploymentId: v1 }))!.deployment!;
    expect(rollback.clonedFrom).toBe(v1);
    const pinned = (await one.get())!.app!;
    expect(pinned.pinnedDeployment?.id).toBe(rollback.id);
    expect(pinned.spec?.services?.[0]?.image?.tag).toBe('v1');
    expect((await failure(one.put({ spec: spec('v3') }))).status).toBe(400);
    expect((await failure(one.deployments.post({ forceBuild: false }))).status).toBe(400);
    expect((await one.rollback.validate.post({ deploymentId: v2 }))!.errorEscaped?.code).toBe('app_pinned');
    await advance(LIVE_AFTER);
    expect(await liveImage(id)).toMatchObject({ image: 'base2:v1', deployment_id: rollback.id });

    const reverted = (await one.rollback.revert.post())!.deployment!;
    expect(reverted.spec?.services?.[0]?.image?.tag).toBe('v2');
    expect((await one.get())!.app!.pinnedDeployment).toBeUndefined();
    expect((await failure(one.rollback.commit.post())).status).toBe(400);
    const rollbacks = (await one.deployments.get({
      queryParameters: { deploymentTypes: ['MANUAL_ROLLBACK'] },
    }))!;
    expect(rollbacks.deployments?.map((d) => d.id)).toEqual([reverted.id, rollback.id]);
  });

  it('commits a rollback (200, empty body), keeping the old spec, and skips the pin on request', async () => {
    const { id, v1, v2 } = await twoVersions();
    const one = app(id);
    await one.rollback.post({ deploymentId: v1 });
    await one.rollback.commit.post();
    const committed = (await one.get())!.app!;
    expect(committed.pinnedDeployment).toBeUndefined();
    expect(committed.spec?.services?.[0]?.image?.tag).toBe('v1');
    await advance(LIVE_AFTER);
    await one.rollback.post({ deploymentId: v2, skipPin: true });
    expect((await one.get())!.app!.pinnedDeployment).toBeUndefined();
  });

  it('refuses to roll back to a deployment that never went live', async () => {
    const { id } = await twoVersions();
    await t.admin('POST', '/_emulator/faults', { kind: 'build', image: 'base2:bad', phase: 'build' });
    const bad = (await update(id, spec('bad'))).pendingDeployment!.id!;
    await advance(LIVE_AFTER);
    const check = (await app(id).rollback.validate.post({ deploymentId: bad }))!;
    expect(check.valid).toBe(false);
    expect(check.errorEscaped?.code).toBe('incompatible_result');
    expect((await failure(app(id).rollback.post({ deploymentId: bad }))).status).toBe(400);
    expect((await failure(app(id).rollback.post({ deploymentId: 'missing' }))).status).toBe(404);
  });
});
