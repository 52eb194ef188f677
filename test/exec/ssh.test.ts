import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../lib/clock.js';
import { ConfigError } from '../../lib/errors.js';
import { ExecError, ExecTimeoutError } from '../../lib/exec/errors.js';
import { runSsh, type SshOptions } from '../../lib/exec/ssh.js';
import { Redactor } from '../../lib/log/redact.js';
import { startTestEmulator, type TestEmulator } from '../support/emulator.js';
import { ed25519KeyPair } from '../support/ssh-keys.js';

/** runSsh against the emulator's droplets: real SSH over loopback, keys registered through the API. */
let t: TestEmulator;
const pair = ed25519KeyPair('exec-test');
let keyId: number;
let hostFingerprint: string;

interface EmulatorState {
  droplets: { droplets: { id: number; public_ipv4: string; host_key?: { fingerprint_sha256: string } }[] };
}

async function createDroplet(name: string): Promise<{ id: number; ip: string }> {
  const answer = await t.dots.v2.droplets.post({
    name,
    region: 'nyc3',
    size: 's-1vcpu-1gb',
    image: 'debian-12-x64',
    sshKeys: [String(keyId)],
  } as never);
  const id = (answer as { droplet: { id: number } }).droplet.id;
  const state = (await t.admin('GET', '/_emulator/state')) as EmulatorState;
  return { id, ip: state.droplets.droplets.find((d) => d.id === id)!.public_ipv4 };
}

const options = (host: string, extra: Partial<SshOptions> = {}): SshOptions => ({
  host,
  label: 'droplet test',
  command: 'echo hi',
  ssh: { privateKey: pair.private, port: t.emu.sshPort },
  timeoutMs: 10_000,
  maxOutputBytes: 64 * 1024,
  clock: systemClock,
  random: Math.random,
  retryInitialMs: 20,
  retryMaxMs: 100,
  ...extra,
});

let ready: { id: number; ip: string };

beforeAll(async () => {
  t = await startTestEmulator();
  keyId = (await t.dots.v2.account.keys.post({ name: 'exec-test', publicKey: pair.public }))!.sshKey!.id!;
  ready = await createDroplet('ssh-ready');
  const state = (await t.admin('GET', '/_emulator/state')) as EmulatorState;
  hostFingerprint = state.droplets.droplets.find((d) => d.id === ready.id)!.host_key!.fingerprint_sha256;
  await t.admin('POST', '/_emulator/clock', { advance_ms: 60_000 });
});
afterAll(async () => {
  await t?.stop();
});

describe('runSsh', () => {
  it('returns stdout and stderr apart, the exit code, the duration and the host key seen', async () => {
    const result = await runSsh(options(ready.ip, { command: 'echo out; echo err >&2; exit 5' }));
    expect(result).toMatchObject({ stdout: 'out\n', stderr: 'err\n', exitCode: 5, truncated: false });
    expect(result.hostFingerprint).toBe(hostFingerprint);
    expect(result.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('keeps retrying a droplet that is still booting until it answers', async () => {
    // A slow boot: the droplet refuses connections for the first ~250 ms of real time.
    await t.admin('POST', '/_emulator/clock', { time_scale: 140 });
    const booting = await createDroplet('ssh-booting');
    try {
      const result = await runSsh(options(booting.ip, { command: 'echo up' }));
      expect(result.stdout).toBe('up\n');
      // It answered only once booted: the first attempts were turned away.
      expect(result.durationMs).toBeGreaterThan(50);
    } finally {
      await t.admin('POST', '/_emulator/clock', { time_scale: 200 });
    }
  });

  it('gives up on a host that keeps refusing, saying how often it tried', async () => {
    const error = await runSsh(
      options('127.0.0.1', { ssh: { privateKey: pair.private, port: 1 }, timeoutMs: 400 }),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExecError);
    expect((error as ExecError).reason).toBe('connection-refused');
    expect((error as ExecError).message).toMatch(/connection refused \(\d+ attempts over/);
  });

  it('refuses a key the droplet was not created with, at once', async () => {
    const stranger = ed25519KeyPair();
    const started = Date.now();
    const error = await runSsh(
      options(ready.ip, { ssh: { privateKey: stranger.private, port: t.emu.sshPort } }),
    ).catch((e: unknown) => e);
    expect((error as ExecError).reason).toBe('auth-refused');
    expect((error as ExecError).message).toMatch(/refused the SSH key for user root/);
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('accepts a host presenting the pinned fingerprint and refuses any other', async () => {
    const pinned = await runSsh(
      options(ready.ip, { ssh: { privateKey: pair.private, port: t.emu.sshPort, hostFingerprint } }),
    );
    expect(pinned.stdout).toBe('hi\n');
    const wrong = `SHA256:${'A'.repeat(43)}`;
    const error = await runSsh(
      options(ready.ip, { ssh: { privateKey: pair.private, port: t.emu.sshPort, hostFingerprint: wrong } }),
    ).catch((e: unknown) => e);
    expect((error as ExecError).reason).toBe('host-key-mismatch');
    expect((error as ExecError).message).toContain(
      `presented host key ${hostFingerprint}, not the pinned ${wrong}`,
    );
  });

  it('accepts a host presenting any of several pinned fingerprints (one per droplet), and names none of them twice', async () => {
    const other = `SHA256:${'B'.repeat(43)}`;
    const ssh = { privateKey: pair.private, port: t.emu.sshPort };
    const listed = await runSsh(
      options(ready.ip, { ssh: { ...ssh, hostFingerprint: `${other}, ${hostFingerprint}` } }),
    );
    expect(listed.stdout).toBe('hi\n');
    const error = await runSsh(
      options(ready.ip, { ssh: { ...ssh, hostFingerprint: `${other},SHA256:${'C'.repeat(43)}` } }),
    ).catch((e: unknown) => e);
    expect((error as ExecError).reason).toBe('host-key-mismatch');
    expect((error as ExecError).message).toContain(
      `presented host key ${hostFingerprint}, not any of the pinned ones`,
    );
  });

  it('stops a command that runs past the timeout and keeps what it printed', async () => {
    const started = Date.now();
    const error = await runSsh(
      options(ready.ip, { command: 'echo started; sleep 30', timeoutMs: 1_000 }),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExecTimeoutError);
    expect((error as ExecTimeoutError).message).toMatch(/did not finish within 1 s and was stopped/);
    expect((error as ExecTimeoutError).partial?.stdout).toBe('started\n');
    expect(Date.now() - started).toBeLessThan(4_000);
  });

  it('caps each stream and marks the cut', async () => {
    const result = await runSsh(
      options(ready.ip, {
        command: "head -c 5000 /dev/zero | tr '\\0' a; head -c 20 /dev/zero | tr '\\0' e >&2",
        maxOutputBytes: 100,
      }),
    );
    expect(result.truncated).toBe(true);
    expect(result.stdout).toBe(`${'a'.repeat(100)}\n[output truncated: 4900 more bytes not kept]\n`);
    expect(result.stderr).toBe('e'.repeat(20));
    expect(result.exitCode).toBe(0);
  });

  it('reports the signal that ended a command instead of an exit code', async () => {
    const result = await runSsh(options(ready.ip, { command: 'echo bye; kill -TERM $$' }));
    expect(result).toMatchObject({ stdout: 'bye\n', exitCode: null, signal: 'TERM' });
  });

  it('reports the shell’s exit code 127 for a command that does not exist', async () => {
    const result = await runSsh(options(ready.ip, { command: 'no-such-command-here' }));
    expect(result.exitCode).toBe(127);
    expect(result.stderr).toMatch(/not found/);
  });

  it('names an unknown host, and refuses an unreadable key before connecting', async () => {
    const unknown = await runSsh(options('no-such-host.invalid')).catch((e: unknown) => e);
    expect((unknown as ExecError).reason).toBe('unknown-host');
    const unreadable = await runSsh(
      options(ready.ip, {
        ssh: {
          privateKey: '-----BEGIN OPENSSH PRIVATE KEY-----\nbroken\n-----END OPENSSH PRIVATE KEY-----\n',
          port: t.emu.sshPort,
        },
      }),
    ).catch((e: unknown) => e);
    expect(unreadable).toBeInstanceOf(ConfigError);
    expect((unreadable as ConfigError).message).not.toContain('broken');
  });

  it('registers the private key with the redactor before using it', async () => {
    const redactor = new Redactor();
    await runSsh(options(ready.ip, { redactor }));
    expect(redactor.redact(`key: ${pair.private}`)).not.toContain(pair.private.split('\n')[1]);
  });
});
