import type { createDigitalOceanClient } from '@digitalocean/dots';
import type { App_spec } from '@digitalocean/dots/src/dots/models/index.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { EmuCore, EmulatorModule } from '../../emulator/core/types.js';
import { accountModule } from '../../emulator/resources/account.js';
import { type AppsRegistry, appsModule } from '../../emulator/resources/apps/index.js';
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

const spec = (tag = 'v1', registryType: 'DOCR' | 'DOCKER_HUB' = 'DOCR'): App_spec => ({
  name: 'base2-web',
  region: 'nyc',
  services: [
    {
      name: 'web',
      image: {
        registryType,
        repository: 'base2',
        tag,
        ...(tag === 'push' ? { deployOnPush: { enabled: true } } : {}),
      },
      instanceCount: 1,
      instanceSizeSlug: 'apps-s-1vcpu-0.5gb',
    },
  ],
});

/** A progress step as the API sends it (dots leaves nested steps untyped, so progress is read raw). */
interface Step {
  name: string;
  status: string;
  started_at?: string;
  ended_at?: string;
  component_name?: string;
  message_base?: string;
  reason?: { code: string; message: string };
  steps?: Step[];
}

interface Progress {
  total_steps: number;
  success_steps: number;
  running_steps: number;
  pending_steps: number;
  error_steps: number;
  steps: Step[];
}

function leaves(steps: Step[] | undefined): Step[] {
  return (steps ?? []).flatMap((s) => (s.steps?.length ? leaves(s.steps) : [s]));
}

/** Pending 5 s, build 60 s, pending 5 s, deploy 30 s (the realistic profile): live after 100 s. */
const LIVE_AFTER = 101_000;

describe('App Platform deployments', () => {
  let t: TestEmulator;
  let dots: Dots;
  let core: EmuCore | undefined;
  const images = new Set<string>();
  // Stand-ins for other modules: a registry that knows `images`, and a handle on the core.
  const registry: EmulatorModule = {
    name: 'registry-stub',
    register(c) {
      c.services.set('registry', { hasImage: (repo: string, tag: string) => images.has(`${repo}:${tag}`) });
      core = c;
    },
  };

  beforeAll(async () => {
    // Real time scale: phase boundaries are crossed only by explicit clock advances (and no API latency).
    t = await startTestEmulator({
      timeScale: 1,
      timing: { apiLatencyMs: 0 },
      modules: [accountModule, appsModule, registry],
    });
    dots = t.dots;
  });
  afterAll(async () => {
    await t?.stop();
  });
  beforeEach(async () => {
    await t.admin('POST', '/_emulator/reset');
    images.clear();
    for (const tag of ['v1', 'v2', 'v3', 'bad', 'push']) images.add(`base2:${tag}`);
  });

  const advance = (ms: number) => t.admin('POST', '/_emulator/clock', { advance_ms: ms });
  const create = async (s = spec()) => (await dots.v2.apps.post({ spec: s }))!.app!;
  const app = (id: string) => dots.v2.apps.byApp_Id(id);
  const deployment = async (appId: string, id: string) =>
    (await app(appId).deployments.byDeployment_id(id).get())!.deployment!;
  const progress = async (appId: string, id: string) => {
    const response = await t.fetch(`${t.emu.apiUrl}/v2/apps/${appId}/deployments/${id}`, {
      headers: { authorization: `Bearer ${t.emu.token}` },
    });
    const body = (await response.json()) as { deployment: { phase: string; progress: Progress } };
    return body.deployment;
  };
  const update = async (appId: string, s: App_spec) => (await app(appId).put({ spec: s }))!.app!;
  const liveImage = async (appId: string) => {
    const response = await t.fetch(`${t.emu.apiUrl}/_emulator/live/${appId}/`);
    return response.status === 200
      ? ((await response.json()) as { image: string; deployment_id: string })
      : response.status;
  };

  it('walks PENDING_BUILD → BUILDING → PENDING_DEPLOY → DEPLOYING → ACTIVE with progress steps', async () => {
    const created = await create();
    const id = created.pendingDeployment!.id!;
    const seen: { phase: string; progress: Progress }[] = [];
    for (const step of [0, 6_000, 60_000, 5_000, 30_000]) {
      await advance(step);
      seen.push(await progress(created.id!, id));
      expect((await deployment(created.id!, id)).phase).toBe(seen.at(-1)!.phase);
    }
    expect(seen.map((s) => s.phase)).toEqual([
      'PENDING_BUILD',
      'BUILDING',
      'PENDING_DEPLOY',
      'DEPLOYING',
      'ACTIVE',
    ]);
    // build: initialize + web; deploy: initialize + web deploy + web wait + finalize.
    expect(seen.map((s) => s.progress.total_steps)).toEqual([6, 6, 6, 6, 6]);
    expect(seen[0]!.progress.pending_steps).toBe(6);
    expect(seen[1]!.progress).toMatchObject({ running_steps: 1, success_steps: 0, pending_steps: 5 });
    expect(seen[3]!.progress).toMatchObject({ running_steps: 1, success_steps: 2, pending_steps: 3 });
    const done = seen[4]!.progress;
    expect(done.success_steps).toBe(done.total_steps);
    expect(done.steps.map((s) => [s.name, s.status])).toEqual([
      ['build', 'SUCCESS'],
      ['deploy', 'SUCCESS'],
    ]);
    const names = leaves(done.steps).map(
      (s) => `${s.name}:${s.component_name ?? ''}:${s.message_base ?? ''}`,
    );
    expect(names).toEqual([
      'initialize::',
      'web:web:Building service',
      'initialize::',
      'deploy:web:Deploying service',
      'wait:web:Waiting for service',
      'finalize::',
    ]);
    for (const leaf of leaves(done.steps))
      expect(Date.parse(leaf.ended_at!)).toBeGreaterThan(Date.parse(leaf.started_at!));

    const live = (await app(created.id!).get())!.app!;
    expect(live.activeDeployment?.id).toBe(id);
    expect(live.inProgressDeployment).toBeUndefined();
    expect(live.defaultIngress).toMatch(/^https:\/\/base2-web-[0-9a-f]{5}\.ondigitalocean\.app$/);
    expect(live.liveDomain).toBe(live.defaultIngress!.replace('https://', ''));
    expect(live.liveUrl).toBe(`${t.emu.apiUrl}/_emulator/live/${created.id}/`);
    expect(live.activeDeployment?.phaseLastUpdatedAt?.getTime()).toBeLessThanOrEqual(Date.now() + 200_000);
  });

  it('supersedes a deployment still in progress, and the previous active one once the new one is live', async () => {
    const created = await create();
    const first = created.pendingDeployment!.id!;
    await advance(LIVE_AFTER);
    const second = (await update(created.id!, spec('v2'))).pendingDeployment!.id!;
    await advance(20_000);
    const third = (await update(created.id!, spec('v3'))).pendingDeployment!.id!;
    expect((await deployment(created.id!, second)).phase).toBe('SUPERSEDED');
    expect((await deployment(created.id!, first)).phase).toBe('ACTIVE');
    expect((await app(created.id!).get())!.app!.inProgressDeployment?.id).toBe(third);
    await advance(LIVE_AFTER);
    expect((await deployment(created.id!, first)).phase).toBe('SUPERSEDED');
    expect((await deployment(created.id!, third)).phase).toBe('ACTIVE');
    const listed = (await app(created.id!).deployments.get())!.deployments!.map((d) => d.id);
    expect(listed).toEqual([third, second, first]);
    expect(await liveImage(created.id!)).toMatchObject({ image: 'base2:v3', deployment_id: third });
  });

  it('makes a new deployment only when the spec changes', async () => {
    const created = await create();
    await update(created.id!, spec());
    expect((await app(created.id!).deployments.get())!.meta?.total).toBe(1);
    const forced = (await app(created.id!).deployments.post({ forceBuild: true }))!.deployment!;
    expect(forced.cause).toBe('manual');
    expect((await app(created.id!).deployments.get())!.meta?.total).toBe(2);
  });

  it('fails a build matching a build fault rule, with an error step and logs, while the old version stays live', async () => {
    const created = await create();
    const first = created.pendingDeployment!.id!;
    await advance(LIVE_AFTER);
    await t.admin('POST', '/_emulator/faults', {
      kind: 'build',
      image: 'base2:bad',
      phase: 'build',
      message: 'npm ci exited with 1',
    });
    const bad = (await update(created.id!, spec('bad'))).pendingDeployment!.id!;
    await advance(LIVE_AFTER);
    const failed = await progress(created.id!, bad);
    expect(failed.phase).toBe('ERROR');
    expect(failed.progress.error_steps).toBe(1);
    expect(failed.progress.success_steps).toBeLessThan(failed.progress.total_steps);
    const errorStep = leaves(failed.progress.steps).find((s) => s.status === 'ERROR');
    expect(errorStep).toMatchObject({ name: 'web', component_name: 'web' });
    expect(errorStep?.reason).toEqual({ code: 'BuildJobFailed', message: 'npm ci exited with 1' });
    expect(failed.progress.steps[1]?.status).toBe('PENDING');

    const current = (await app(created.id!).get())!.app!;
    expect(current.activeDeployment?.id).toBe(first);
    expect(await liveImage(created.id!)).toMatchObject({ image: 'base2:v1', deployment_id: first });

    const logs = app(created.id!).deployments.byDeployment_id(bad).components.byComponent_name('web').logs;
    const build = (await logs.get({ queryParameters: { type: 'BUILD' } }))!;
    const text = await (await t.fetch(build.historicUrls![0]!)).text();
    expect(text).toContain('build failed: npm ci exited with 1');
    expect(text).toContain('Reason: BuildJobFailed');
    // A phase the deployment never reached answers 400 (DigitalOcean's deploy action relies on it).
    expect((await failure(logs.get({ queryParameters: { type: 'DEPLOY' } }))).status).toBe(400);
  });

  it('fails in deploy when the rule says so, at the health-check wait', async () => {
    // Whether a deployment fails is decided when it is created, so the rule comes first.
    await t.admin('POST', '/_emulator/faults', { kind: 'build', image: 'base2:v1', phase: 'deploy' });
    const created = await create();
    await advance(LIVE_AFTER);
    const failed = await progress(created.id!, created.pendingDeployment!.id!);
    expect(failed.phase).toBe('ERROR');
    const errorStep = leaves(failed.progress.steps).find((s) => s.status === 'ERROR');
    expect(errorStep).toMatchObject({ name: 'wait', component_name: 'web' });
    expect(errorStep?.reason?.code).toBe('DeployContainerHealthChecksFailed');
    expect(await liveImage(created.id!)).toBe(503);
    expect((await app(created.id!).get())!.app!.liveUrl).toBeUndefined();
  });

  it('fails at build when a DOCR image is missing from the registry', async () => {
    images.delete('base2:v1');
    const created = await create();
    await advance(LIVE_AFTER);
    const failed = await progress(created.id!, created.pendingDeployment!.id!);
    expect(failed.phase).toBe('ERROR');
    expect(leaves(failed.progress.steps).find((s) => s.status === 'ERROR')?.reason?.message).toContain(
      'base2:v1 was not found',
    );
    // Docker Hub images are not looked up in the DigitalOcean registry.
    const hub = await update(created.id!, spec('v1', 'DOCKER_HUB'));
    await advance(LIVE_AFTER);
    expect((await deployment(created.id!, hub.pendingDeployment!.id!)).phase).toBe('ACTIVE');
  });

  it('cancels a deployment in progress, and refuses to cancel one that is not', async () => {
    const created = await create();
    const id = created.pendingDeployment!.id!;
    await advance(10_000);
    const canceled = (await app(created.id!).deployments.byDeployment_id(id).cancel.post())!.deployment!;
    expect(canceled.phase).toBe('CANCELED');
    await advance(LIVE_AFTER);
    expect((await deployment(created.id!, id)).phase).toBe('CANCELED');
    const again = await failure(app(created.id!).deployments.byDeployment_id(id).cancel.post());
    expect(again.status).toBe(400);
    expect((await app(created.id!).get())!.app!.activeDeployment).toBeUndefined();
  });

  it('redeploys apps following a DOCR tag when that tag is pushed', async () => {
    const created = await create(spec('push'));
    await advance(LIVE_AFTER);
    (core!.services.get('apps') as AppsRegistry).imagePushed('base2', 'push');
    (core!.services.get('apps') as AppsRegistry).imagePushed('base2', 'other');
    const list = (await app(created.id!).deployments.get({
      queryParameters: { deploymentTypes: ['DEPLOY_ON_PUSH'] },
    }))!;
    expect(list.deployments?.map((d) => d.cause)).toEqual(['image base2:push pushed']);
  });
});
