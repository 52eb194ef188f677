/**
 * A deploy cut short by its deadline keeps the deployment locked until it is called again with its
 * resume token: nothing gets in between its calls, and a caller that never comes back blocks
 * others only for the lease.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Clock, systemClock } from '../../lib/clock.js';
import { isMutating } from '../../lib/do/call-log.js';
import { ConflictError, InputError } from '../../lib/errors.js';
import { parseHolder } from '../../lib/lock/index.js';
import { type DeployResult, deployOperation } from '../../lib/ops/deploy/index.js';
import { type EditResult, editOperation } from '../../lib/ops/edit/index.js';
import { teardownOperation } from '../../lib/ops/teardown/index.js';
import type { AnyOperation } from '../../lib/ops/types.js';
import { startTestEmulator, type TestEmulator } from '../support/emulator.js';
import { runOp, seedRegistry } from './support.js';

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

const run = async <R>(
  operation: AnyOperation,
  input: Record<string, unknown>,
  options: { timeoutMs?: number; clock?: Clock } = {},
) => runOp<R>(t, operation, { env: 'apponly', ...input }, { env: MANIFEST, ...options });

const lockKeys = async () =>
  ((await t.dots.v2.account.keys.get())?.sshKeys ?? []).filter((k) => k.name?.startsWith(`${SLUG}-lock`));

/** A deploy that the deadline cuts while the app builds: it answers in_progress holding the lock. */
async function cutDeploy(input: Record<string, unknown> = {}) {
  await t.admin('POST', '/_emulator/clock', { time_scale: 20 });
  try {
    const { report } = await run<DeployResult>(deployOperation, input, { timeoutMs: 1500 });
    expect(report.status, JSON.stringify(report.result)).toBe('in_progress');
    return report;
  } finally {
    await t.admin('POST', '/_emulator/clock', { time_scale: 400 });
  }
}

const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error,
  );

/** Requests that change something (an edit's app spec check changes nothing), the lock's refused create (422) aside. */
const changes = async () =>
  (await t.requests()).filter(
    (r) => isMutating(r.method, r.path) && !(r.path === '/v2/account/keys' && r.status === 422),
  );

describe('a deploy answering in_progress', () => {
  let token: string;

  it('keeps the lock, paused, and gives its token in the result and the rendering', async () => {
    const first = await cutDeploy();
    token = first.result.resume ?? '';
    expect(token).toMatch(/^[0-9a-f]{8}$/);
    const keys = await lockKeys();
    expect(keys).toHaveLength(1);
    expect(parseHolder(SLUG, keys[0]?.name ?? '')).toMatchObject({
      op: 'deploy',
      holder: token,
      paused: true,
    });
    expect(deployOperation.render!(first)).toContain(
      `Run deploy again with --resume ${token} to continue (npm run remote does this for you)`,
    );
    expect(first.audit.filter((r) => r.resource === `lock ${SLUG}`).map((r) => r.action)).toEqual([
      'acquire',
      'pause',
    ]);
  });

  it('holds off an edit in between (lock_wait 0): a conflict, and nothing changed', async () => {
    await t.admin('DELETE', '/_emulator/requests');
    const error = await refusal(
      run<EditResult>(editOperation, { set_env: { BETWEEN: 'yes' }, lock_wait: 0 }),
    );
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as ConflictError).exitCode).toBe(1);
    expect((error as Error).message).toMatch(/^deploy of base2-apponly is running \(lock held by deploy/);
    expect(await changes()).toEqual([]);
  });

  it('holds off the same deploy without the token, and an edit bringing the deploy’s token', async () => {
    await t.admin('DELETE', '/_emulator/requests');
    // With something to change: a deploy that only watches and verifies takes no lock at all.
    const again = await refusal(run(deployOperation, { image_tag: '1.4.2', lock_wait: 0 }));
    expect(again).toBeInstanceOf(ConflictError);
    const borrowed = await refusal(
      run(editOperation, { set_env: { BETWEEN: 'yes' }, lock_wait: 0, resume: token }),
    );
    expect(borrowed).toBeInstanceOf(ConflictError);
    expect((borrowed as Error).message).toMatch(
      new RegExp(
        `The resume token was not honoured: it is the lock of deploy ${token}, not of this edit\\.$`,
      ),
    );
    expect(await changes()).toEqual([]);
  });

  it('continues at once with its token (no wait even with lock_wait 0), finishes, and releases the lock', async () => {
    const { report } = await run<DeployResult>(deployOperation, { resume: token, lock_wait: 0 });
    expect(report.status, JSON.stringify(report.result)).toMatch(/^(succeeded|noop)$/);
    expect(report.result.resume).toBeUndefined();
    expect(report.audit.filter((r) => r.resource === `lock ${SLUG}`).map((r) => r.action)).toEqual([
      'resume',
      'release',
    ]);
    expect(await lockKeys()).toEqual([]);
    const apps = await t.dots.v2.apps.get({ queryParameters: { perPage: 200 } });
    expect((apps?.apps ?? []).filter((a) => a.spec?.name === SLUG)).toHaveLength(1);
  });
});

describe('a resume token that is malformed', () => {
  it('is refused as input (exit 2) naming the field, before any API call', async () => {
    await t.admin('DELETE', '/_emulator/requests');
    for (const [operation, input] of [
      [deployOperation, { resume: '3f9a0c1d; rm -rf /' }],
      [editOperation, { set_env: { A: 'b' }, resume: 'ABCDEF01' }],
      [teardownOperation, { resume: 12345678 }],
    ] as const) {
      const error = await refusal(run(operation, input));
      expect(error, operation.name).toBeInstanceOf(InputError);
      expect((error as InputError).exitCode).toBe(2);
      expect((error as Error).message).toMatch(/resume: must be the resume token/);
    }
    expect(await t.requests()).toEqual([]);
  });
});

describe('a continuing caller that never comes back', () => {
  it('blocks others only for the lease: then another operation takes over, and the token grants nothing', async () => {
    const cut = await cutDeploy({ image_tag: '1.4.2' });
    const token = cut.result.resume!;
    // Three minutes later for the tool: past the two-minute lease.
    const later: Clock = { now: () => systemClock.now() + 180_000, sleep: systemClock.sleep };
    const { report: torn } = await run(teardownOperation, { lock_wait: 0 }, { clock: later });
    expect(torn.status).toBe('succeeded');
    const leftover = (torn.result as { plan: { kind: string; reason: string }[] }).plan.find((s) =>
      s.reason.startsWith('the deployment lock'),
    );
    expect(leftover?.reason).toMatch(
      new RegExp(
        `^the deployment lock of deploy ${token}, expired .+: it answered in_progress and was not called again`,
      ),
    );
    expect(await lockKeys()).toEqual([]);

    const { report, logs } = await run<DeployResult>(deployOperation, { resume: token, lock_wait: 0 });
    expect(report.status, JSON.stringify(report.result)).toMatch(/^(succeeded|in_progress)$/);
    expect(logs.join('\n')).toMatch(/the resume token was not honoured.*the lock is free/);
    const actions = report.audit.filter((r) => r.resource === `lock ${SLUG}`).map((r) => r.action);
    expect(actions[0]).toBe('acquire');
    expect(actions).not.toContain('resume');
  });
});
