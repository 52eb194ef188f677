import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand } from '../../emulator/droplet-host/exec.js';
import {
  allocatedAddress,
  type DropletTestEmulator,
  dropletWithKey,
  keyPair,
  startDropletEmulator,
} from './fixtures/droplet-emulator.js';
import { connect, exec, shell } from './fixtures/ssh-client.js';

const BOOT_MS = 600_000;
describe('droplet SSH', () => {
  let t: DropletTestEmulator;

  // A slow boot (moved past with the clock) and a fast scale, so action timers fire within the test.
  beforeAll(async () => {
    t = await startDropletEmulator({ checkSpec: false, timing: { dropletBootMs: BOOT_MS } });
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('runs a command as root with the droplet’s key: stdout, stderr and exit status', async () => {
    const { ip, pair } = await dropletWithKey(t, 'runner', { bootMs: BOOT_MS });
    let presented: Buffer | undefined;
    const client = await connect(ip!, t.emu.sshPort, pair.private, {
      hostVerifier: (key: Buffer) => {
        presented = key;
        return true;
      },
    });
    try {
      expect(await exec(client, 'echo hi; echo err >&2; exit 3')).toEqual({
        stdout: 'hi\n',
        stderr: 'err\n',
        code: 3,
        signal: null,
      });
      const where = await exec(client, 'pwd; echo "$HOME $USER"; echo kept > file.txt');
      const [pwd, env] = where.stdout.trim().split('\n');
      expect(pwd).toBe(env!.split(' ')[0]);
      expect(env).toMatch(/ root$/);
      expect(pwd!.startsWith(t.emu.workDir)).toBe(true);
      expect((await exec(client, 'cat file.txt')).stdout).toBe('kept\n');
    } finally {
      client.end();
    }
    const state = (await t.admin('GET', '/_emulator/state')) as {
      droplets: { droplets: { public_ipv4: string; host_key: { fingerprint_md5: string } }[] };
    };
    const md5 = createHash('md5').update(presented!).digest('hex').match(/../g)!.join(':');
    expect(md5).toBe(state.droplets.droplets.find((d) => d.public_ipv4 === ip)?.host_key.fingerprint_md5);
  });

  it('gives each droplet its own host key, made at create and kept while it lives (a reboot too)', async () => {
    const presentedBy = async (ip: string, pair: { private: string }) => {
      let presented = '';
      const client = await connect(ip, t.emu.sshPort, pair.private, {
        hostVerifier: (key: Buffer) => {
          presented = createHash('sha256').update(key).digest('base64');
          return true;
        },
      });
      client.end();
      return presented;
    };
    const one = await dropletWithKey(t, 'keyed-1', { bootMs: BOOT_MS });
    const two = await dropletWithKey(t, 'keyed-2', { bootMs: BOOT_MS });
    const first = await presentedBy(one.ip!, one.pair);
    expect(first).not.toBe('');
    // On a single shared address every droplet shows that address's one key (docs/emulator.md).
    if (one.ip !== two.ip) expect(await presentedBy(two.ip!, two.pair)).not.toBe(first);
    await t.dots.v2.droplets.byDroplet_id(one.id).actions.post({ type: 'reboot' } as never);
    await t.advance(BOOT_MS);
    expect(await presentedBy(one.ip!, one.pair)).toBe(first);
    // The account's droplet limit is shared by this file's tests.
    for (const d of [one, two]) await t.dots.v2.droplets.byDroplet_id(d.id).delete();
  });

  it('runs commands as an unprivileged user owning only its sandbox, where the emulator runs as root', async () => {
    const { id, ip, pair } = await dropletWithKey(t, 'confined', { bootMs: BOOT_MS });
    // A file only the emulator's own user may read, next to the sandboxes.
    const secret = join(t.emu.workDir, 'host-only.txt');
    await writeFile(secret, 'not for droplets\n', { mode: 0o600 });
    const client = await connect(ip!, t.emu.sshPort, pair.private);
    try {
      const who = await exec(client, 'id -u; touch kept && echo wrote');
      const root = process.getuid?.() === 0;
      expect(who.stdout).toBe(`${root ? 65534 : process.getuid?.()}\nwrote\n`);
      const outside = await exec(client, `cat ${secret}; touch ${join(t.emu.workDir, 'planted')}`);
      if (root) {
        expect(outside.stdout).toBe('');
        expect(outside.stderr).toMatch(/Permission denied/);
        expect(existsSync(join(t.emu.workDir, 'planted'))).toBe(false);
      } else {
        // Without root there is no other user to switch to (docs/emulator.md).
        expect(outside.stdout).toBe('not for droplets\n');
      }
    } finally {
      client.end();
      await rm(secret, { force: true });
      await rm(join(t.emu.workDir, 'planted'), { force: true });
      await t.dots.v2.droplets.byDroplet_id(id).delete();
    }
  });

  it('answers a shell request with a plain shell in the sandbox', async () => {
    const { ip, pair } = await dropletWithKey(t, 'sheller', { bootMs: BOOT_MS });
    const client = await connect(ip!, t.emu.sshPort, pair.private);
    try {
      const result = await shell(client, 'echo from-shell\nexit 7\n');
      expect(result.stdout).toContain('from-shell');
      expect(result.code).toBe(7);
    } finally {
      client.end();
    }
  });

  it('refuses a key the droplet was not created with, and users other than root', async () => {
    const { ip, pair } = await dropletWithKey(t, 'guarded', { bootMs: BOOT_MS });
    const other = await dropletWithKey(t, 'other', { bootMs: BOOT_MS });
    await expect(connect(ip!, t.emu.sshPort, keyPair().private)).rejects.toThrow(/authentication/i);
    await expect(connect(ip!, t.emu.sshPort, other.pair.private)).rejects.toThrow(/authentication/i);
    await expect(connect(ip!, t.emu.sshPort, pair.private, { username: 'admin' })).rejects.toThrow(
      /authentication/i,
    );
  });

  it('is unreachable before it is active and after it is deleted', async () => {
    const { id, pair } = await dropletWithKey(t, 'lifecycle', {});
    const ip = await allocatedAddress(t, id);
    await expect(connect(ip, t.emu.sshPort, pair.private)).rejects.toThrow();

    await t.advance(BOOT_MS);
    const client = await connect(ip, t.emu.sshPort, pair.private);
    expect((await exec(client, 'echo up')).stdout).toBe('up\n');
    client.end();

    await t.dots.v2.droplets.byDroplet_id(id).delete();
    await expect(connect(ip, t.emu.sshPort, pair.private)).rejects.toThrow();
  });

  it('ends a running session when the droplet powers off, with nobody reading the API', async () => {
    const { id, ip, pair } = await dropletWithKey(t, 'cut', { bootMs: BOOT_MS });
    const client = await connect(ip!, t.emu.sshPort, pair.private);
    const running = exec(client, 'sleep 30; echo never');
    await t.dots.v2.droplets.byDroplet_id(id).actions.post({ type: 'power_off' });
    // actionMs (8 s virtual) is 40 ms at the test scale: the action's own timer must act.
    const result = await running;
    expect(result.stdout).toBe('');
    client.end();
    await expect(connect(ip!, t.emu.sshPort, pair.private)).rejects.toThrow();
  });
});

describe('droplet SSH on a single shared address', () => {
  let t: DropletTestEmulator;

  beforeAll(async () => {
    t = await startDropletEmulator({
      checkSpec: false,
      singleAddress: true,
      timing: { dropletBootMs: BOOT_MS },
    });
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('puts every droplet on 127.0.0.1 and picks the droplet by the key that logged in', async () => {
    const first = await dropletWithKey(t, 'first', { bootMs: BOOT_MS });
    const second = await dropletWithKey(t, 'second', { bootMs: BOOT_MS });
    expect([first.ip, second.ip]).toEqual(['127.0.0.1', '127.0.0.1']);
    for (const [droplet, name] of [
      [first, 'first'],
      [second, 'second'],
    ] as const) {
      const client = await connect('127.0.0.1', t.emu.sshPort, droplet.pair.private);
      expect((await exec(client, 'echo $HOSTNAME')).stdout).toBe(`${name}\n`);
      client.end();
    }
    await expect(connect('127.0.0.1', t.emu.sshPort, keyPair().private)).rejects.toThrow(/authentication/i);
  });
});

describe('droplet command runner', () => {
  it('kills a command that runs past its time and reports the signal', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'runner-'));
    try {
      let out = '';
      const running = runCommand({
        command: 'echo started; sleep 5 & wait',
        cwd: dir,
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
        timeoutMs: 200,
        onStdout: (chunk) => {
          out += chunk.toString();
        },
        onStderr: () => undefined,
      });
      expect(await running.done).toEqual({ code: null, signal: 'KILL', timedOut: true });
      expect(out).toBe('started\n');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
