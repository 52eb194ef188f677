import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseHolder } from '../../lib/lock/index.js';
import { deployOperation } from '../../lib/ops/deploy/index.js';
import { type EditResult, editOperation } from '../../lib/ops/edit/index.js';
import { startTestEmulator, type TestEmulator } from '../support/emulator.js';
import { liveVersion, runOp, seedRegistry } from './support.js';

const MANIFEST = { BASE2_MANIFEST: 'test/ops/fixtures/deployment.yml' };
let t: TestEmulator;

beforeAll(async () => {
  t = await startTestEmulator({ timeScale: 400 });
  await seedRegistry(t);
  const { report } = await runOp(t, deployOperation, { env: 'apponly' }, { env: MANIFEST });
  expect(report.status).toBe('succeeded');
});
afterAll(async () => {
  await t.stop();
});

const edit = async (input: Record<string, unknown>, timeoutMs?: number) =>
  (
    await runOp<EditResult>(
      t,
      editOperation,
      { env: 'apponly', ...input },
      {
        env: MANIFEST,
        ...(timeoutMs ? { timeoutMs } : {}),
      },
    )
  ).report;

describe('an edit longer than its deadline', () => {
  it('returns in_progress, and the same edit called again follows the deployment to the end and verifies it', async () => {
    await t.admin('POST', '/_emulator/clock', { time_scale: 20 });
    const first = await edit({ set_env: { SLOW: 'yes' } }, 1500);
    expect(first.status).toBe('in_progress');
    expect(first.result.progress?.detail).toMatch(/^app: /);
    expect(first.result.restore).toBeUndefined();
    // The deployment stays locked for the call that continues it, which brings the token back.
    const locks = (await t.dots.v2.account.keys.get())?.sshKeys ?? [];
    expect(locks.map((k) => parseHolder('base2-apponly', k.name ?? ''))).toEqual([
      expect.objectContaining({ op: 'edit', holder: first.result.resume, paused: true }),
    ]);
    expect(editOperation.render!(first)).toContain(
      `Run the same edit again with --resume ${first.result.resume}`,
    );

    // Fast enough to finish soon, slow enough that the next call still finds it running.
    await t.admin('POST', '/_emulator/clock', { time_scale: 100 });
    const again = await edit({ set_env: { SLOW: 'yes' }, resume: first.result.resume });
    expect(again.status, JSON.stringify(again.result.failure)).toBe('succeeded');
    expect(again.result.plan).toEqual([]);
    expect(again.result.checks.every((c) => c.ok)).toBe(true);
    const apps = (await t.dots.v2.apps.get({ queryParameters: { perPage: 200 } }))?.apps ?? [];
    expect((await liveVersion(t, apps[0]!.liveUrl!)).env).toMatchObject({ SLOW: 'yes' });

    await t.admin('POST', '/_emulator/clock', { time_scale: 400 });
    const done = await edit({ set_env: { SLOW: 'yes' } });
    expect(done.status).toBe('noop');
    expect(done.api_calls.mutating).toBe(0);
  });

  it('an earlier call’s deployment that failed after it returned is restored by the next call', async () => {
    await t.admin('POST', '/_emulator/faults', { kind: 'build', image: 'base2:bad', phase: 'deploy' });
    await t.admin('POST', '/_emulator/clock', { time_scale: 20 });
    const first = await edit({ image_tag: 'bad' }, 1000);
    expect(first.status).toBe('in_progress');
    await t.admin('POST', '/_emulator/clock', { time_scale: 400 });
    await new Promise((resolve) => setTimeout(resolve, 500));
    const again = await edit({ image_tag: 'bad', resume: first.result.resume });
    expect(again.status).toBe('failed');
    expect(again.result.restore?.ok, JSON.stringify(again.result.restore)).toBe(true);
    const apps = (await t.dots.v2.apps.get({ queryParameters: { perPage: 200 } }))?.apps ?? [];
    expect((await liveVersion(t, apps[0]!.liveUrl!)).image).toContain('base2:latest');
    expect(apps[0]?.spec?.services?.[0]?.image?.tag).toBe('latest');
  });
});
