import { createHash } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type DropletTestEmulator,
  expectConformance,
  failure,
  keyPair,
  startDropletEmulator,
} from './fixtures/droplet-emulator.js';

/** What `ssh-keygen -l -E md5` prints, computed independently of the emulator. */
function md5Of(publicLine: string): string {
  const blob = Buffer.from(publicLine.split(' ')[1]!, 'base64');
  return createHash('md5').update(blob).digest('hex').match(/../g)!.join(':');
}

describe('ssh keys (/v2/account/keys)', () => {
  let t: DropletTestEmulator;

  beforeAll(async () => {
    t = await startDropletEmulator();
  });
  afterAll(async () => {
    expectConformance(t);
    await t?.stop();
  });
  beforeEach(async () => {
    await t.admin('POST', '/_emulator/reset');
  });

  it('registers a key, shows its MD5 fingerprint, and finds it by id or by fingerprint', async () => {
    const pair = keyPair('laptop');
    const created = await t.dots.v2.account.keys.post({ name: 'laptop', publicKey: pair.public });
    const key = created?.sshKey;
    expect(key?.fingerprint).toBe(md5Of(pair.public));
    expect(key?.publicKey).toBe(pair.public);
    expect(key?.id).toBeGreaterThan(0);

    const byId = await t.dots.v2.account.keys.bySsh_key_identifier(key!.id!).get();
    expect(byId?.sshKey?.name).toBe('laptop');
    const byFingerprint = await t.api('GET', `/v2/account/keys/${key!.fingerprint}`);
    expect(byFingerprint.status).toBe(200);
    expect(((await byFingerprint.json()) as { ssh_key: { id: number } }).ssh_key.id).toBe(key!.id);

    const list = await t.dots.v2.account.keys.get();
    expect(list?.sshKeys?.map((k) => k.id)).toEqual([key!.id]);
    expect(list?.meta?.total).toBe(1);
  });

  it('accepts RSA and ECDSA keys as well as ed25519', async () => {
    const { utils } = (await import('ssh2')).default;
    for (const [type, opts] of [
      ['rsa', { bits: 2048 }],
      ['ecdsa', { bits: 256 }],
    ] as const) {
      const pair = utils.generateKeyPairSync(type, opts);
      const created = await t.dots.v2.account.keys.post({ name: type, publicKey: pair.public });
      expect(created?.sshKey?.fingerprint).toBe(md5Of(pair.public));
    }
  });

  it('refuses the same public key a second time, even under another name', async () => {
    const pair = keyPair();
    await t.dots.v2.account.keys.post({ name: 'first', publicKey: pair.public });
    const error = await failure(
      t.dots.v2.account.keys.post({
        name: 'second',
        publicKey: `${pair.public.split(' ').slice(0, 2).join(' ')} other-comment`,
      }),
    );
    expect(error.responseStatusCode).toBe(422);
    expect(error.message).toBe('SSH Key is already in use on your account');
    expect((await t.dots.v2.account.keys.get())?.meta?.total).toBe(1);
  });

  it('lets exactly one of several racing registrations of one key through', async () => {
    const pair = keyPair();
    const outcomes = await Promise.allSettled(
      Array.from({ length: 5 }, (_, i) =>
        t.dots.v2.account.keys.post({ name: `racer-${i}`, publicKey: pair.public }),
      ),
    );
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    const refused = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    expect(refused.map((o) => (o.reason as { responseStatusCode: number }).responseStatusCode)).toEqual([
      422, 422, 422, 422,
    ]);
    expect((await t.dots.v2.account.keys.get())?.meta?.total).toBe(1);
  });

  it('refuses what is not an OpenSSH public key with the message DigitalOcean gives for its kind', async () => {
    const pair = keyPair();
    const format = 'Key invalid, key should be of the format `type key [comment]`';
    const type =
      "Key invalid type, we support 'ssh-rsa', 'ssh-dss', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', or 'ssh-ed25519'";
    const fingerprint = 'Fingerprint could not be generated, please make sure your key is valid';
    const cases: [string, string][] = [
      ['41000017', format],
      ['not a key', type],
      [pair.private, type],
      ['---- BEGIN SSH2 PUBLIC KEY ----\nComment: "rsa-key"\nAAAAB3Nza\n---- END SSH2 PUBLIC KEY ----', type],
      ['ssh-ed25519 AAAAnotbase64blob', fingerprint],
      [`ssh-rsa ${pair.public.split(' ')[1]}`, fingerprint],
    ];
    for (const [publicKey, message] of cases) {
      const error = await failure(t.dots.v2.account.keys.post({ name: 'bad', publicKey }));
      expect(error, publicKey.slice(0, 20)).toEqual({
        responseStatusCode: 422,
        id: 'unprocessable_entity',
        message,
      });
    }
    const noName = await failure(t.dots.v2.account.keys.post({ name: '', publicKey: pair.public }));
    expect(noName.responseStatusCode).toBe(422);
    expect((await t.dots.v2.account.keys.get())?.meta?.total).toBe(0);
  });

  it('renames a key and keeps its fingerprint', async () => {
    const pair = keyPair();
    const key = (await t.dots.v2.account.keys.post({ name: 'old', publicKey: pair.public }))!.sshKey!;
    const renamed = await t.dots.v2.account.keys.bySsh_key_identifier(key.id!).put({ name: 'new' });
    expect(renamed?.sshKey).toMatchObject({ id: key.id, name: 'new', fingerprint: key.fingerprint });
    expect((await t.dots.v2.account.keys.bySsh_key_identifier(key.id!).get())?.sshKey?.name).toBe('new');
  });

  it('deletes a key, after which it is not found and can be registered again', async () => {
    const pair = keyPair();
    const key = (await t.dots.v2.account.keys.post({ name: 'gone', publicKey: pair.public }))!.sshKey!;
    await t.dots.v2.account.keys.bySsh_key_identifier(key.id!).delete();
    const missing = await failure(t.dots.v2.account.keys.bySsh_key_identifier(key.id!).get());
    expect(missing.responseStatusCode).toBe(404);
    const again = await failure(t.dots.v2.account.keys.bySsh_key_identifier(key.id!).delete());
    expect(again.responseStatusCode).toBe(404);
    const back = await t.dots.v2.account.keys.post({ name: 'back', publicKey: pair.public });
    expect(back?.sshKey?.fingerprint).toBe(key.fingerprint);
  });

  it('pages through keys with links', async () => {
    for (let i = 0; i < 3; i++)
      await t.dots.v2.account.keys.post({ name: `k${i}`, publicKey: keyPair().public });
    const page = await t.dots.v2.account.keys.get({ queryParameters: { perPage: 2, page: 2 } });
    expect(page?.sshKeys).toHaveLength(1);
    expect(page?.meta?.total).toBe(3);
    const pages = page?.links?.pages as { prev?: string; next?: string } | undefined;
    expect(pages?.prev).toMatch(/\/v2\/account\/keys\?.*page=1/);
    expect(pages?.next).toBeUndefined();
  });
});
