import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployOperation } from '../../lib/ops/deploy/index.js';
import { editOperation } from '../../lib/ops/edit/index.js';
import { infoOperation } from '../../lib/ops/info/index.js';
import { maintainOperation } from '../../lib/ops/maintain/index.js';
import type { MaintainResult } from '../../lib/ops/maintain/types.js';
import type { AnyOperation, OpReport } from '../../lib/ops/types.js';
import { startTestEmulator, type TestEmulator } from '../support/emulator.js';
import { runOp, seedRegistry } from './support.js';

const MANIFEST = { BASE2_MANIFEST: 'test/ops/fixtures/deployment.yml' };
const SLUG = 'base2-apponly';
const FIRST = 'first-secret-value-3e9a71c2d5';
const SECOND = 'second-secret-value-8b04f6e1a7';
/** The default .do/app.yaml publishes for BASE2_SECRET_KEY. */
const PUBLISHED = 'base2-demo-secret-not-for-production';
let t: TestEmulator;
const outputs: string[] = [];

beforeAll(async () => {
  t = await startTestEmulator({ timeScale: 400 });
  await seedRegistry(t);
});
afterAll(async () => {
  await t.stop();
});

async function run<R = unknown>(
  operation: AnyOperation,
  input: Record<string, unknown>,
  secret?: string,
): Promise<OpReport<R>> {
  // No secret given: an empty variable, which takes the default .do/app.yaml publishes.
  const env = { ...MANIFEST, BASE2_SECRET_KEY: secret ?? '' };
  const { report, logs } = await runOp<R>(t, operation, { env: 'apponly', ...input }, { env });
  outputs.push(JSON.stringify(report), ...logs, operation.render?.(report as OpReport) ?? '');
  return report;
}

async function secretState() {
  const apps = (await t.dots.v2.apps.get({ queryParameters: { perPage: 200 } }))?.apps ?? [];
  const app = apps.find((a) => a.spec?.name === SLUG)!;
  const value = app.spec?.services?.[0]?.envs?.find((e) => e.key === 'BASE2_SECRET_KEY')?.value;
  return { value, deployment: app.activeDeployment?.id };
}

type Plan = { plan: { kind: string; action: string; reason: string }[] };

describe('a changed SECRET', () => {
  it('is seen by maintain and deploy, rolled out by deploy, named by key only; the same value again is no change', async () => {
    expect((await run(deployOperation, {}, FIRST)).status).toBe('succeeded');
    const before = await secretState();

    const drift = await run<MaintainResult>(maintainOperation, { report_only: true }, SECOND);
    expect(drift.result.clean).toBe(false);
    expect(drift.result.drift.map((d) => d.what).join('\n')).toMatch(/BASE2_SECRET_KEY/);

    const dry = await run<Plan>(deployOperation, { dry_run: true }, SECOND);
    const step = dry.result.plan.find((s) => s.kind === 'app');
    expect(step?.action).toBe('update');
    expect(step?.reason).toMatch(/BASE2_SECRET_KEY: SECRET value changed/);

    const rolled = await run<Plan>(deployOperation, {}, SECOND);
    expect(rolled.status, JSON.stringify(rolled.result)).toBe('succeeded');
    const after = await secretState();
    expect(after.value).toMatch(/^EV\[/);
    expect(after.value).not.toBe(before.value);
    expect(after.deployment).not.toBe(before.deployment);

    const again = await run(deployOperation, {}, SECOND);
    expect(again.status).toBe('noop');
    const maintained = await run<MaintainResult>(maintainOperation, { report_only: true }, SECOND);
    expect(maintained.result.clean).toBe(true);
  });

  it('edit setting a SECRET to the value it has is a no-op', async () => {
    const before = await secretState();
    const report = await run(
      editOperation,
      { set_env: { BASE2_SECRET_KEY: { value: SECOND, type: 'SECRET' } } },
      SECOND,
    );
    expect(report.status, JSON.stringify(report.result)).toBe('noop');
    expect(report.api_calls.mutating).toBe(0);
    expect((await secretState()).deployment).toBe(before.deployment);
  });

  it('deploy warns loudly while the default .do/app.yaml publishes is live, and info says so too', async () => {
    const report = await run(deployOperation, {});
    expect(report.status, JSON.stringify(report.result)).toBe('succeeded');
    expect(report.warnings?.join('\n')).toMatch(/BASE2_SECRET_KEY.*published/s);
    const info = await run(infoOperation, {});
    expect(info.warnings?.join('\n')).toMatch(/BASE2_SECRET_KEY.*published/s);
    const rotated = await run(deployOperation, {}, FIRST);
    expect(rotated.status).toBe('succeeded');
    expect(rotated.warnings?.join('\n') ?? '').not.toMatch(/published/);
  });

  it('never shows a SECRET value', () => {
    const text = outputs.join('\n');
    for (const secret of [FIRST, SECOND, t.emu.token]) expect(text).not.toContain(secret);
    // The published default is no secret to anyone, but it is live as one: not printed either.
    expect(text).not.toContain(PUBLISHED);
  });
});
