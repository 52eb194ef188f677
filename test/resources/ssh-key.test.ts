import { createHash } from 'node:crypto';
import ssh2 from 'ssh2';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Deployment } from '../../lib/config/manifest.js';
import { ed25519KeyPair } from '../../lib/exec/keys.js';
import {
  type ActualSshKeys,
  type DesiredSshKey,
  planSshKey,
  publicKeyFingerprint,
  sshKeyModule,
  sshKeyReference,
} from '../../lib/resources/ssh-key/index.js';
import type { Facts } from '../../lib/resources/types.js';
import { startTestEmulator, type TestEmulator } from '../support/emulator.js';
import { type TestContext, testContext } from '../support/op-context.js';

const NO_FACTS: Facts = { dropletIpv4: [] };
const KEY_NAME = 'base2-staging-key';
const publicKey = (comment: string) => ed25519KeyPair(comment).public;

describe('SSH key fingerprint and plan (pure)', () => {
  it('computes the MD5 fingerprint DigitalOcean shows, whatever the comment', () => {
    const key = publicKey('someone@laptop');
    const parsed = ssh2.utils.parseKey(key);
    if (parsed instanceof Error) throw parsed;
    const md5 = createHash('md5').update(parsed.getPublicSSH()).digest('hex');
    expect(publicKeyFingerprint(key)).toBe(md5.match(/../g)!.join(':'));
    const blob = key.split(' ')[1];
    expect(publicKeyFingerprint(`ssh-ed25519 ${blob} another comment`)).toBe(publicKeyFingerprint(key));
  });

  const desired: DesiredSshKey = { name: KEY_NAME, publicKey: 'ssh-ed25519 AAAA x', fingerprint: 'aa:bb' };
  const key = (name: string, fingerprint: string, id = 1) => ({ id, name, fingerprint, publicKey: '' });
  const plan = (actual: Partial<ActualSshKeys>) =>
    planSshKey(desired, { name: KEY_NAME, named: undefined, matching: undefined, ...actual }).map(
      (s) => `${s.action}: ${s.reason}`,
    );

  it('creates a missing key, keeps a registered one, reuses one under another name', () => {
    expect(plan({})).toEqual(['create: missing']);
    const ours = key(KEY_NAME, 'aa:bb');
    expect(plan({ named: ours, matching: ours })).toEqual(['noop: registered']);
    expect(plan({ matching: key('laptop', 'aa:bb') })).toEqual([
      'noop: already registered as "laptop": used as it is',
    ]);
  });

  it('replaces ours when its public key changed, or deletes it when the new key is registered elsewhere', () => {
    expect(plan({ named: key(KEY_NAME, 'cc:dd') })).toEqual(['replace: public key changed (cc:dd → aa:bb)']);
    expect(plan({ named: key(KEY_NAME, 'cc:dd'), matching: key('laptop', 'aa:bb', 2) })).toEqual([
      'delete: holds an old public key; the manifest\'s key is registered as "laptop"',
    ]);
  });

  it('plans nothing without a droplets section, and tears down only the key with our exact name', () => {
    expect(planSshKey(undefined, { name: KEY_NAME, named: undefined, matching: undefined })).toEqual([]);
    const other = key('laptop', 'aa:bb', 2);
    expect(sshKeyModule.destroy({ name: KEY_NAME, named: undefined, matching: other })).toEqual([]);
    expect(sshKeyReference({ name: KEY_NAME, named: undefined, matching: other })).toEqual({
      id: 2,
      fingerprint: 'aa:bb',
    });
  });
});

describe('SSH key against the emulator', () => {
  let t: TestEmulator;
  let tc: TestContext;
  beforeAll(async () => {
    t = await startTestEmulator();
  });
  afterAll(async () => {
    await t.stop();
  });
  beforeEach(async () => {
    await t.admin('POST', '/_emulator/reset');
    tc = testContext(t);
  });
  afterEach(async () => {
    await tc.close();
  });

  const withKey = (key: string): Deployment => {
    const d = tc.deployment();
    return { ...d, droplets: { ...d.droplets!, ssh_key: { public_key: key } } };
  };
  const converge = async (d: Deployment) => {
    const actual = await sshKeyModule.read(tc.ctx, d);
    const steps = sshKeyModule.plan(sshKeyModule.desired(d, NO_FACTS), actual);
    return {
      actual,
      steps,
      applied: await sshKeyModule.apply(
        tc.ctx,
        d,
        steps.filter((s) => s.action !== 'noop'),
      ),
    };
  };
  const keys = async () => (await t.dots.v2.account.keys.get())?.sshKeys ?? [];
  const mutating = async () => (await t.requests()).filter((r) => r.method !== 'GET');

  it('registers the key under the deployment’s name once; the next plan is a noop', async () => {
    const d = withKey(publicKey('deploy'));
    const first = await converge(d);
    expect(first.applied.map((a) => [a.action, a.outcome])).toEqual([['create', 'ok']]);
    expect((await keys()).map((k) => [k.name, k.fingerprint])).toEqual([
      [KEY_NAME, publicKeyFingerprint(d.droplets!.ssh_key.public_key)],
    ]);
    await t.admin('DELETE', '/_emulator/requests');
    const second = await converge(d);
    expect(second.steps.map((s) => s.action)).toEqual(['noop']);
    expect(await mutating()).toEqual([]);
    const desired = sshKeyModule.desired(d, NO_FACTS)!;
    expect(await sshKeyModule.verify(tc.ctx, d, desired)).toEqual([
      expect.objectContaining({ ok: true, name: KEY_NAME }),
    ]);
  });

  it('uses the key as it is when it is already registered under another name, and warns', async () => {
    const key = publicKey('laptop');
    await t.dots.v2.account.keys.post({ name: 'my laptop', publicKey: key });
    await t.admin('DELETE', '/_emulator/requests');
    const d = withKey(key);
    const { actual, steps, applied } = await converge(d);
    expect(steps.map((s) => s.action)).toEqual(['noop']);
    expect(applied).toEqual([]);
    expect(await mutating()).toEqual([]);
    expect(sshKeyModule.warnings(actual, d)).toEqual([
      expect.stringContaining('already registered as "my laptop"'),
    ]);
    expect(sshKeyReference(actual)?.fingerprint).toBe(publicKeyFingerprint(key));
    expect(sshKeyModule.destroy(actual)).toEqual([]);
  });

  it('treats a key registered meanwhile under another name (422 already in use) as the one to use', async () => {
    const key = publicKey('race');
    const d = withKey(key);
    const actual = await sshKeyModule.read(tc.ctx, d);
    await t.dots.v2.account.keys.post({ name: 'someone else', publicKey: key });
    const steps = sshKeyModule.plan(sshKeyModule.desired(d, NO_FACTS), actual);
    const applied = await sshKeyModule.apply(tc.ctx, d, steps);
    expect(applied).toEqual([
      expect.objectContaining({
        action: 'create',
        outcome: 'skipped',
        detail: expect.stringContaining('someone else'),
      }),
    ]);
    expect(await keys()).toHaveLength(1);
  });

  it('replaces our key when the manifest’s public key changes', async () => {
    await converge(withKey(publicKey('old')));
    const fresh = publicKey('new');
    const { applied } = await converge(withKey(fresh));
    expect(applied.map((a) => a.action)).toEqual(['delete', 'create']);
    expect((await keys()).map((k) => [k.name, k.fingerprint])).toEqual([
      [KEY_NAME, publicKeyFingerprint(fresh)],
    ]);
  });

  it('"commit then fail" on the create leaves exactly one key', async () => {
    await t.admin('POST', '/_emulator/faults', {
      method: 'POST',
      path: '/v2/account/keys',
      mode: 'commit-then-error',
      status: 500,
      count: 1,
    });
    const { applied } = await converge(withKey(publicKey('flaky')));
    expect(applied.map((a) => [a.action, a.outcome])).toEqual([['create', 'ok']]);
    expect(await keys()).toHaveLength(1);
  });

  it('tears down only the key with our exact name', async () => {
    const d = withKey(publicKey('ours'));
    await converge(d);
    await t.dots.v2.account.keys.post({ name: 'base2-staging-key-backup', publicKey: publicKey('other') });
    const steps = sshKeyModule.destroy(await sshKeyModule.read(tc.ctx, d));
    expect(steps.map((s) => [s.action, s.name])).toEqual([['delete', KEY_NAME]]);
    await sshKeyModule.apply(tc.ctx, d, steps);
    expect((await keys()).map((k) => k.name)).toEqual(['base2-staging-key-backup']);
    expect(sshKeyModule.destroy(await sshKeyModule.read(tc.ctx, d))).toEqual([]);
  });
});
