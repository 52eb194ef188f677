import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../lib/clock.js';
import { ExecError, ExecTimeoutError } from '../../lib/exec/errors.js';
import { runSsh, type SshOptions } from '../../lib/exec/ssh.js';

/**
 * runSsh against Debian's real OpenSSH server, started here on a loopback port with a generated
 * host key and one authorized key. CI installs openssh-server (.ci/run), so there a missing sshd
 * fails; elsewhere the tests are skipped with the reason printed.
 */
const SSHD = '/usr/sbin/sshd';
const KEYGEN = '/usr/bin/ssh-keygen';
const CI = process.env.CI === 'true';
const present = existsSync(SSHD) && existsSync(KEYGEN);
if (!present && !CI) {
  console.log(`openssh.test.ts skipped: ${SSHD} or ${KEYGEN} is missing (apt-get install openssh-server)`);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function keygen(file: string, type: 'ed25519' | 'rsa'): void {
  execFileSync(KEYGEN, [
    '-q',
    '-t',
    type,
    ...(type === 'rsa' ? ['-b', '2048'] : []),
    '-N',
    '',
    '-C',
    'exec-test',
    '-f',
    file,
  ]);
}

/** PIDs of processes whose command line is exactly these arguments (the commands run on this machine). */
function processesRunning(args: string[]): number[] {
  const wanted = `${args.join('\0')}\0`;
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8') === wanted;
      } catch {
        return false;
      }
    })
    .map(Number);
}

describe.skipIf(!present && !CI)('runSsh against OpenSSH', () => {
  let dir: string;
  let sshd: ChildProcess | undefined;
  let port: number;
  let clientKey: string;
  let hostFingerprint: string;

  const options = (extra: Partial<SshOptions> = {}): SshOptions => ({
    host: '127.0.0.1',
    label: 'host openssh',
    command: 'echo hi',
    ssh: { privateKey: clientKey, user: userInfo().username, port },
    timeoutMs: 10_000,
    maxOutputBytes: 64 * 1024,
    clock: systemClock,
    random: Math.random,
    retryInitialMs: 50,
    ...extra,
  });

  beforeAll(async () => {
    if (!present) throw new Error(`${SSHD} is missing: CI must install openssh-server (see .ci/run)`);
    dir = mkdtempSync(join(tmpdir(), 'exec-openssh-'));
    keygen(join(dir, 'host_key'), 'ed25519');
    keygen(join(dir, 'client_key'), 'rsa');
    writeFileSync(join(dir, 'authorized_keys'), readFileSync(join(dir, 'client_key.pub')));
    clientKey = readFileSync(join(dir, 'client_key'), 'utf8');
    // `ssh-keygen -l` is OpenSSH's own fingerprint of the host key: ours must agree with it.
    hostFingerprint = execFileSync(KEYGEN, ['-l', '-E', 'sha256', '-f', join(dir, 'host_key.pub')], {
      encoding: 'utf8',
    }).split(' ')[1]!;
    port = await freePort();
    writeFileSync(
      join(dir, 'sshd_config'),
      [
        `Port ${port}`,
        'ListenAddress 127.0.0.1',
        `HostKey ${join(dir, 'host_key')}`,
        `PidFile ${join(dir, 'sshd.pid')}`,
        `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
        'UsePAM no',
        'StrictModes no',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'PermitRootLogin prohibit-password',
        '',
      ].join('\n'),
    );
    // Run as root, sshd needs its privilege separation directory (a service start would create it).
    if (userInfo().uid === 0) mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
    const started = spawn(SSHD, ['-D', '-e', '-f', join(dir, 'sshd_config')], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    sshd = started;
    await new Promise<void>((resolve, reject) => {
      let log = '';
      const timer = setTimeout(() => reject(new Error(`sshd did not start: ${log}`)), 10_000);
      started.stderr?.setEncoding('utf8');
      started.stderr?.on('data', (chunk: string) => {
        log += chunk;
        if (log.includes('Server listening')) {
          clearTimeout(timer);
          resolve();
        }
      });
      started.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`sshd exited with ${code}: ${log}`));
      });
    });
  });

  afterAll(() => {
    sshd?.kill('SIGTERM');
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('runs a command: stdout and stderr apart, exit code, and the host key OpenSSH reports', async () => {
    const result = await runSsh(options({ command: 'echo "out $((2 + 3))"; echo err >&2; exit 7' }));
    expect(result).toMatchObject({ stdout: 'out 5\n', stderr: 'err\n', exitCode: 7, truncated: false });
    expect(result.hostFingerprint).toBe(hostFingerprint);
  });

  it('runs the command line in the login shell, metacharacters and quotes intact', async () => {
    const result = await runSsh(
      options({ command: `printf '%s\\n' "it's" | tr a-z A-Z && cat </dev/stdin; echo "$0" >&2` }),
    );
    expect(result.stdout).toBe("IT'S\n");
    expect(result.stderr?.trim()).toBe(userInfo().shell ?? '/bin/sh');
    expect(result.exitCode).toBe(0);
  });

  it('accepts the pinned host key and refuses another', async () => {
    const pinned = await runSsh(options({ ssh: { ...options().ssh, hostFingerprint } }));
    expect(pinned.stdout).toBe('hi\n');
    const other = `SHA256:${'B'.repeat(43)}`;
    const error = await runSsh(options({ ssh: { ...options().ssh, hostFingerprint: other } })).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ExecError);
    expect((error as ExecError).reason).toBe('host-key-mismatch');
  });

  it('reports a refused key as such', async () => {
    const strangerFile = join(dir, 'stranger');
    keygen(strangerFile, 'ed25519');
    const error = await runSsh(
      options({ ssh: { ...options().ssh, privateKey: readFileSync(strangerFile, 'utf8') } }),
    ).catch((e: unknown) => e);
    expect((error as ExecError).reason).toBe('auth-refused');
  });

  it('kills a command that outlives its timeout, with everything it started', async () => {
    const sleeper = ['sleep', '41.25'];
    const error = await runSsh(
      // Long enough for a loaded machine's sshd to log in and start the command, far short of its sleep.
      options({ command: `echo begun; ${sleeper.join(' ')} & ${sleeper.join(' ')}`, timeoutMs: 3_000 }),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExecTimeoutError);
    expect((error as ExecTimeoutError).partial?.stdout).toBe('begun\n');
    // OpenSSH leaves a command running when its channel closes: the process group must be gone.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(processesRunning(sleeper)).toEqual([]);
  });

  it('reports the signal that ended a command', async () => {
    const result = await runSsh(options({ command: 'kill -TERM $$' }));
    expect(result).toMatchObject({ exitCode: null, signal: 'TERM' });
  });

  it('reports exit code 127 for a missing command', async () => {
    const result = await runSsh(options({ command: 'definitely-not-a-command' }));
    expect(result.exitCode).toBe(127);
    expect(result.stderr).toMatch(/not found/);
  });
});
