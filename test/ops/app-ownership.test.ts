import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { deployOperation } from '../../lib/ops/deploy/index.js';
import { editOperation } from '../../lib/ops/edit/index.js';
import { infoOperation } from '../../lib/ops/info/index.js';
import { maintainOperation } from '../../lib/ops/maintain/index.js';
import type { MaintainResult } from '../../lib/ops/maintain/types.js';
import { teardownOperation } from '../../lib/ops/teardown/index.js';
import type { AnyOperation, OpReport } from '../../lib/ops/types.js';
import { expandSpec } from '../../lib/resources/app/index.js';
import { startTestEmulator, type TestEmulator } from '../support/emulator.js';
import { liveVersion, runOp, seedRegistry } from './support.js';

const MANIFEST = { BASE2_MANIFEST: 'test/ops/fixtures/deployment.yml' };
const SLUG = 'base2-apponly';
let t: TestEmulator;

beforeAll(async () => {
  t = await startTestEmulator({ timeScale: 400 });
  await seedRegistry(t);
});
afterAll(async () => {
  await t.stop();
});
beforeEach(async () => {
  for (const app of await apps()) await t.dots.v2.apps.byApp_Id(app.id!).delete();
});

async function apps() {
  return (await t.dots.v2.apps.get({ queryParameters: { perPage: 200 } }))?.apps ?? [];
}
async function theApp() {
  return (await apps()).find((a) => a.spec?.name === SLUG);
}
const appWideKeys = (app: Awaited<ReturnType<typeof theApp>>) =>
  ((app?.spec?.additionalData?.envs ?? []) as { key: string }[]).map((e) => e.key);

async function run<R = unknown>(
  operation: AnyOperation,
  input: Record<string, unknown>,
): Promise<OpReport<R>> {
  return (await runOp<R>(t, operation, { env: 'apponly', ...input }, { env: MANIFEST })).report;
}

/** An app someone made by hand with the deployment's exact name, shaped otherwise. */
async function handMadeApp() {
  const spec = {
    name: SLUG,
    region: 'nyc',
    services: [
      {
        name: 'api',
        image: { registry_type: 'DOCR', repository: 'base2', tag: '1.4.2' },
        http_port: 8080,
        instance_count: 1,
        instance_size_slug: 'apps-s-1vcpu-0.5gb',
      },
    ],
  };
  const created = await t.dots.v2.apps.post({ spec: expandSpec(spec as never) });
  return created!.app!.id!;
}

describe('apps the tool cannot prove it made', () => {
  it('teardown leaves a hand-made app with the deployment name alone and says what to do', async () => {
    const id = await handMadeApp();
    const report = await run(teardownOperation, {});
    expect((await theApp())?.id).toBe(id);
    expect(report.warnings?.join('\n')).toMatch(/no proof.*adopt/s);
  });

  it('deploy refuses to rewrite it, before changing anything, and info says why', async () => {
    const id = await handMadeApp();
    const before = JSON.stringify((await theApp())?.spec);
    const dry = await run<{ failure?: { kind: string; detail: string } }>(deployOperation, { dry_run: true });
    expect(dry.status).toBe('failed');
    const report = await run<{ failure?: { kind: string; detail: string } }>(deployOperation, {});
    expect(report.status).toBe('failed');
    expect(report.result.failure?.kind).toBe('app_ownership');
    expect(report.result.failure?.detail).toMatch(/base2-apponly.*no proof.*(rename|adopt_app)/s);
    expect(report.api_calls.mutating).toBe(0);
    expect(JSON.stringify((await theApp())?.spec)).toBe(before);
    expect((await theApp())?.id).toBe(id);
    const info = await run(infoOperation, {});
    expect(info.warnings?.join('\n')).toMatch(/base2-apponly.*no proof/s);
    const maintained = await run<MaintainResult>(maintainOperation, {});
    expect(maintained.result.clean).toBe(false);
    expect(maintained.result.drift).toContainEqual(
      expect.objectContaining({
        kind: 'app',
        treatment: 'report',
        note: expect.stringContaining('no proof'),
      }),
    );
    await expect(run(editOperation, { set_env: { BASE2_LOG_LEVEL: 'debug' } })).rejects.toThrow(/no proof/);
    expect(JSON.stringify((await theApp())?.spec)).toBe(before);
  });

  it('deploy with adopt_app takes it over and marks it; teardown then deletes it', async () => {
    await handMadeApp();
    const report = await run(deployOperation, { adopt_app: true });
    expect(report.status, JSON.stringify(report.result)).toBe('succeeded');
    const adopted = (await theApp())!;
    expect(appWideKeys(adopted)).toContain('BASE2_DO_OWNER');
    // Scoped BUILD_TIME: the running app never sees the tool's variables.
    const live = await liveVersion(t, adopted.liveUrl!);
    expect(Object.keys(live.env).filter((k) => k.startsWith('BASE2_DO_'))).toEqual([]);
    expect(Object.keys(live.env)).toContain('BASE2_LOG_LEVEL');
    const gone = await run(teardownOperation, {});
    expect(gone.status).toBe('succeeded');
    expect(await theApp()).toBeUndefined();
  });

  it("an app an earlier version deployed (no proof, deployment.yml's spec) is adopted by deploy, which says so", async () => {
    expect((await run(deployOperation, {})).status).toBe('succeeded');
    const app = (await theApp())!;
    expect(appWideKeys(app)).toContain('BASE2_DO_OWNER');
    // What the earlier version left: the same spec (secrets sent back encrypted) without the tool's variables.
    const response = await t.fetch(`${t.emu.apiUrl}/v2/apps/${app.id}`, {
      headers: { authorization: `Bearer ${t.emu.token}` },
    });
    const raw = ((await response.json()) as { app: { spec: { envs?: { key: string }[] } } }).app.spec;
    const legacy = { ...raw, envs: (raw.envs ?? []).filter((e) => !e.key.startsWith('BASE2_DO_')) };
    await t.dots.v2.apps.byApp_Id(app.id!).put({ spec: expandSpec(legacy as never) });
    expect(appWideKeys(await theApp())).not.toContain('BASE2_DO_OWNER');
    const report = await run<{ plan: { kind: string; reason: string }[] }>(deployOperation, {});
    expect(report.status, JSON.stringify(report.result)).toBe('succeeded');
    expect(report.result.plan.find((s) => s.kind === 'app')?.reason).toMatch(/earlier version/);
    expect(appWideKeys(await theApp())).toContain('BASE2_DO_OWNER');
  });
});
