import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConflictError } from '../../lib/errors.js';
import {
  holderName,
  lockFingerprint,
  lockPublicKey,
  parseHolder,
  readLockKey,
} from '../../lib/lock/index.js';
import { deploymentLock } from '../../lib/lock/lock.js';
import { sshKeyModule } from '../../lib/resources/ssh-key/index.js';
import { startTestEmulator, type TestEmulator } from '../support/emulator.js';
import { type TestContext, testContext } from '../support/op-context.js';

const SLUG = 'base2-staging';
let t: TestEmulator;
const contexts: TestContext[] = [];

beforeEach(async () => {
  t = await startTestEmulator();
});
afterEach(async () => {
  for (const tc of contexts.splice(0)) await tc.close();
  await t.stop();
});

function context(op: 'deploy' | 'edit' | 'teardown' = 'deploy'): TestContext {
  const tc = testContext(t, { op });
  contexts.push(tc);
  return tc;
}

const keys = async () => (await t.dots.v2.account.keys.get())?.sshKeys ?? [];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('deployment lock', () => {
  it('is the lock key registered under a name saying who holds it, audited, and gone once released', async () => {
    const tc = context('edit');
    const lock = deploymentLock(tc.ctx, SLUG, { waitSeconds: 0 });
    expect(await lock.acquire()).toBe('acquired');
    expect(await lock.acquire()).toBe('held');
    const [key] = await keys();
    expect(key?.fingerprint).toBe(lockFingerprint(SLUG));
    expect(parseHolder(SLUG, key?.name ?? '')).toMatchObject({ op: 'edit', holder: lock.holder?.holder });
    await lock.release();
    await lock.release();
    expect(await keys()).toEqual([]);
    expect(tc.ctx.audit.records().map((r) => `${r.resource} ${r.action} ${r.outcome}`)).toEqual([
      'lock base2-staging acquire ok',
      'lock base2-staging release ok',
    ]);
  });

  it('fails fast with a clear conflict while another operation holds it (lock_wait 0)', async () => {
    const first = deploymentLock(context('deploy').ctx, SLUG);
    await first.acquire();
    const second = deploymentLock(context('edit').ctx, SLUG, { waitSeconds: 0 });
    const error = await second.acquire().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as Error).message).toMatch(
      /^deploy of base2-staging is running \(lock held by deploy [0-9a-f]{8} since .+, expires .+\); try again later\.$/,
    );
    // The hint names the setting as each caller spells it: the CLI's flag and the input field.
    expect((error as ConflictError).hint).toBe(
      'To wait for it to finish, give a wait in seconds: --lock-wait on the command line, lock_wait in a web call.',
    );
    await first.release();
  });

  it('waits while held, then takes it (reporting that it waited)', async () => {
    const first = deploymentLock(context('deploy').ctx, SLUG);
    await first.acquire();
    const second = deploymentLock(context('edit').ctx, SLUG, { waitSeconds: 10 });
    const waiting = second.acquire();
    await sleep(300);
    await first.release();
    expect(await waiting).toBe('waited');
    expect(parseHolder(SLUG, (await keys())[0]?.name ?? '')?.op).toBe('edit');
    await second.release();
  });

  it('takes over a lock whose holder stopped renewing (a crashed invocation)', async () => {
    const stale = { op: 'deploy', holder: 'deadbeef', since: Date.now() - 300_000, until: Date.now() - 1000 };
    await t.dots.v2.account.keys.post({ name: holderName(SLUG, stale), publicKey: lockPublicKey(SLUG) });
    const tc = context('edit');
    const lock = deploymentLock(tc.ctx, SLUG, { waitSeconds: 0 });
    expect(await lock.acquire()).toBe('waited');
    const all = await keys();
    expect(all).toHaveLength(1);
    expect(parseHolder(SLUG, all[0]?.name ?? '')?.holder).toBe(lock.holder?.holder);
    expect(tc.ctx.audit.records().map((r) => r.action)).toEqual(['acquire', 'take over', 'acquire']);
    await lock.release();
  });

  it('a holder that never releases blocks others only until its expiry, and cannot release the new holder’s lock', async () => {
    const crashed = deploymentLock(context('deploy').ctx, SLUG, { ttlMs: 400, renewEveryMs: 60_000 });
    await crashed.acquire();
    const next = deploymentLock(context('teardown').ctx, SLUG, { waitSeconds: 5 });
    const expires = crashed.holder!.until;
    expect(await next.acquire()).toBe('waited');
    expect(next.holder!.since).toBeGreaterThanOrEqual(expires);
    await crashed.release();
    expect(parseHolder(SLUG, (await keys())[0]?.name ?? '')?.op).toBe('teardown');
    await next.release();
  });

  it('keeps the lock while its holder renews it, and a holder that comes back after losing it knows', async () => {
    const alive = deploymentLock(context('deploy').ctx, SLUG, { ttlMs: 1000, renewEveryMs: 200 });
    await alive.acquire();
    const blocked = deploymentLock(context('edit').ctx, SLUG, { waitSeconds: 1.6 });
    await expect(blocked.acquire()).rejects.toBeInstanceOf(ConflictError);
    await alive.release();

    const sleepy = deploymentLock(context('deploy').ctx, SLUG, { ttlMs: 100, renewEveryMs: 500 });
    await sleepy.acquire();
    const taker = deploymentLock(context('edit').ctx, SLUG, { waitSeconds: 5 });
    expect(await taker.acquire()).toBe('waited');
    await sleep(900);
    expect(sleepy.lost).toBe(true);
    await sleepy.release();
    expect(parseHolder(SLUG, (await keys())[0]?.name ?? '')?.op).toBe('edit');
    await taker.release();
  });

  it('a lock of another deployment does not block', async () => {
    const staging = deploymentLock(context().ctx, SLUG);
    await staging.acquire();
    const production = deploymentLock(context().ctx, 'base2-production', { waitSeconds: 0 });
    expect(await production.acquire()).toBe('acquired');
    expect(await keys()).toHaveLength(2);
    await Promise.all([staging.release(), production.release()]);
  });

  it('knows it holds the lock when the answer to its create was lost', async () => {
    await t.admin('POST', '/_emulator/faults', {
      method: 'POST',
      path: '/v2/account/keys',
      mode: 'commit-then-drop',
      count: 1,
    });
    const tc = context();
    const lock = deploymentLock(tc.ctx, SLUG, { waitSeconds: 0 });
    expect(await lock.acquire()).toBe('acquired');
    expect(await readLockKey(tc.ctx, SLUG)).toMatchObject({ holder: { holder: lock.holder?.holder } });
    await lock.release();
    expect(await keys()).toEqual([]);
  });

  it('is invisible to the deployment’s SSH key handling: neither owned, matched nor deleted by it', async () => {
    const tc = context();
    const lock = deploymentLock(tc.ctx, SLUG);
    await lock.acquire();
    const deployment = tc.deployment('staging');
    const actual = await sshKeyModule.read(tc.ctx, deployment);
    expect(actual.named).toBeUndefined();
    expect(actual.matching).toBeUndefined();
    expect(sshKeyModule.destroy(actual)).toEqual([]);
    await lock.release();
  });
});
