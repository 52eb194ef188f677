import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { type AddressInfo, connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'dotenv';
import { Agent, fetch } from 'undici';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCliArgs, UsageError } from '../../emulator/cli.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TSX = join(ROOT, 'node_modules/.bin/tsx');

interface Run {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<number | null>;
}

const running: ChildProcess[] = [];
const scratch = mkdtempSync(join(tmpdir(), 'emulator-cli-test-'));

/** Starts the CLI in its own process group, as a terminal would. */
function run(command: string, args: string[]): Run {
  const child = spawn(command, args, { cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  running.push(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    err += chunk.toString();
  });
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, stdout: () => out, stderr: () => err, exit };
}

async function untilReady(r: Run): Promise<Record<string, string>> {
  const deadline = Date.now() + 15_000;
  while (!/^DO_HTTP_PORT=\d+$/m.test(r.stdout())) {
    if (Date.now() > deadline || r.child.exitCode !== null)
      throw new Error(`not ready: ${r.stdout()} ${r.stderr()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return parse(r.stdout());
}

async function untilGone(group: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      process.kill(-group, 0);
    } catch {
      return;
    }
    if (Date.now() > deadline) throw new Error(`process group ${group} still running`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function isPortOpen(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    socket.once('connect', () => resolve(!socket.destroy()));
    socket.once('error', () => resolve(false));
  });
}

/** A call the way curl makes it: trusting only the CA file the emulator wrote. */
async function getJson(env: Record<string, string>, path: string): Promise<unknown> {
  const agent = new Agent({ connect: { ca: readFileSync(env.DIGITALOCEAN_CA_FILE!) } });
  try {
    const response = await fetch(`${env.DIGITALOCEAN_API_URL}${path}`, {
      headers: { authorization: `Bearer ${env.DIGITALOCEAN_TOKEN}` },
      dispatcher: agent,
    });
    if (response.status !== 200) throw new Error(`GET ${path}: ${response.status}`);
    return await response.json();
  } finally {
    await agent.close();
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

// Processes run side by side (tsx takes a second to start); whatever a failed test left running goes at the end.
afterAll(() => {
  for (const child of running) {
    if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, 'SIGKILL');
  }
  rmSync(scratch, { recursive: true, force: true });
});

describe('the env file the README has the emulator write', () => {
  it('is ignored by git, since it holds the emulator token', () => {
    // `git check-ignore` exits 0 when the path is ignored (the file need not exist).
    const checked = spawnSync('git', ['check-ignore', '-q', '.env.emulator'], { cwd: ROOT });
    expect(checked.status).toBe(0);
  });
});

describe.concurrent('npm run emulator', () => {
  it('prints the facts, writes them to --env-file, serves the API and cleans up on Ctrl-C', async ({
    expect,
  }) => {
    const envFile = join(scratch, 'ctrl-c.env');
    const r = run('npm', ['run', '--silent', 'emulator', '--', '--env-file', envFile, '--time-scale', '50']);
    const printed = await untilReady(r);
    expect(Object.keys(printed)).toEqual([
      'DIGITALOCEAN_API_URL',
      'DIGITALOCEAN_TOKEN',
      'NODE_EXTRA_CA_CERTS',
      'DIGITALOCEAN_CA_FILE',
      'DO_SSH_PORT',
      'DO_HTTP_PORT',
    ]);
    expect(parse(readFileSync(envFile))).toEqual(printed);
    expect(statSync(envFile).mode & 0o777).toBe(0o600);
    expect(await getJson(printed, '/v2/account')).toHaveProperty('account.status', 'active');

    // Ctrl-C signals the whole process group; npm then ends by the same signal, after its child.
    process.kill(-r.child.pid!, 'SIGINT');
    await r.exit;
    await untilGone(r.child.pid!);
    expect(r.stderr()).toMatch(/SIGINT received, stopping/);
    expect(await isPortOpen(printed.DIGITALOCEAN_API_URL!)).toBe(false);
    expect(existsSync(envFile)).toBe(false);
    expect(existsSync(dirname(printed.DIGITALOCEAN_CA_FILE!))).toBe(false);
  });

  it('prints its usage for --help', async ({ expect }) => {
    const r = run('npm', ['run', '--silent', 'emulator', '--', '--help']);
    expect(await r.exit).toBe(0);
    expect(r.stdout()).toMatch(/^Usage: npm run emulator/);
    for (const flag of [
      '--port',
      '--time-scale',
      '--env-file',
      '--ssh-port',
      '--http-port',
      '--rate-limit-per-minute',
      '--droplet-limit',
    ]) {
      expect(r.stdout()).toContain(flag);
    }
  });
});

describe.concurrent('emulator/cli.ts as a process', () => {
  it('applies the port and rate-limit flags, and stops everything and exits 0 on SIGTERM', async ({
    expect,
  }) => {
    const [api, ssh, http] = [await freePort(), await freePort(), await freePort()];
    const envFile = join(scratch, 'sigterm.env');
    const r = run(TSX, [
      'emulator/cli.ts',
      '--',
      `--env-file=${envFile}`,
      `--port=${api}`,
      `--ssh-port=${ssh}`,
      `--http-port=${http}`,
      '--rate-limit-per-minute=7',
      '--single-address',
    ]);
    const env = await untilReady(r);
    expect(env).toMatchObject({
      DIGITALOCEAN_API_URL: `https://127.0.0.1:${api}`,
      DO_SSH_PORT: String(ssh),
      DO_HTTP_PORT: String(http),
    });
    expect(await getJson(env, '/_emulator/rate-limit')).toEqual({ perMinute: 7, perHour: 5000 });

    const stopping = performance.now();
    r.child.kill('SIGTERM');
    expect(await r.exit).toBe(0);
    expect(performance.now() - stopping).toBeLessThan(1_000);
    expect(await isPortOpen(env.DIGITALOCEAN_API_URL!)).toBe(false);
    expect(existsSync(envFile)).toBe(false);
    expect(existsSync(env.DIGITALOCEAN_CA_FILE!)).toBe(false);
  });

  it('exits 2 with a clear message on a bad flag', async ({ expect }) => {
    const r = run(TSX, ['emulator/cli.ts', '--', '--time-scale', 'fast']);
    expect(await r.exit).toBe(2);
    expect(r.stderr()).toMatch(/--time-scale must be a number > 0/);
    expect(r.stderr()).toMatch(/--help/);
    expect(r.stdout()).toBe('');
  });

  it('exits 1 with the reason when the emulator cannot start', async ({ expect }) => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    try {
      const r = run(TSX, ['emulator/cli.ts', '--', `--port=${(taken.address() as AddressInfo).port}`]);
      expect(await r.exit).toBe(1);
      expect(r.stderr()).toMatch(/EADDRINUSE/);
      expect(r.stdout()).toBe('');
    } finally {
      taken.close();
    }
  });

  it('exits 2 and leaves the file alone when --env-file names a file it did not write', async ({
    expect,
  }) => {
    const envFile = join(scratch, 'someone-elses.env');
    writeFileSync(envFile, 'SECRET=keep-me\n');
    const r = run(TSX, ['emulator/cli.ts', '--', '--env-file', envFile]);
    expect(await r.exit).toBe(2);
    expect(r.stderr()).toMatch(/was not written by the emulator/);
    expect(readFileSync(envFile, 'utf8')).toBe('SECRET=keep-me\n');
  });
});

describe('parseCliArgs', () => {
  it('maps every flag to an emulator option', () => {
    expect(
      parseCliArgs([
        '--port=8443',
        '--time-scale',
        '2.5',
        '--env-file',
        '.env.emulator',
        '--ssh-port',
        '2222',
        '--http-port',
        '8080',
        '--rate-limit-per-minute',
        '60',
        '--droplet-limit',
        '25',
        '--single-address',
      ]),
    ).toEqual({
      help: false,
      envFile: '.env.emulator',
      emulator: {
        port: 8443,
        timeScale: 2.5,
        sshPort: 2222,
        httpPort: 8080,
        rateLimit: { perMinute: 60 },
        dropletLimit: 25,
        singleAddress: true,
      },
    });
    expect(parseCliArgs([])).toEqual({ help: false, envFile: undefined, emulator: {} });
    expect(parseCliArgs(['--', '--help'])).toMatchObject({ help: true });
  });

  it('takes the registry names other customers hold, or none', () => {
    expect(parseCliArgs(['--registry-names-taken', 'acme, shop-images']).emulator).toEqual({
      registryNamesTaken: ['acme', 'shop-images'],
    });
    expect(parseCliArgs(['--registry-names-taken=']).emulator).toEqual({ registryNamesTaken: [] });
    expect(() => parseCliArgs(['--registry-names-taken', 'Shop_Images'])).toThrow(
      /--registry-names-taken: Shop_Images is not a registry name/,
    );
  });

  it.each([
    [['--bogus'], /Unknown option '--bogus'/],
    [['extra'], /unexpected argument: extra/],
    [['--port', '70000'], /--port must be a port number/],
    [['--ssh-port', '0'], /--ssh-port must be a port number/],
    [['--http-port', '80.5'], /--http-port must be a port number/],
    [['--time-scale', '0'], /--time-scale must be a number > 0/],
    [['--time-scale', '20000'], /--time-scale must be a number > 0/],
    [['--rate-limit-per-minute', '0'], /--rate-limit-per-minute must be a whole number/],
    [['--rate-limit-per-minute=-1'], /--rate-limit-per-minute must be a whole number/],
    [['--droplet-limit', 'lots'], /--droplet-limit must be a whole number from 0/],
    [['--droplet-limit=2.5'], /--droplet-limit must be a whole number from 0/],
    [['--port'], /argument missing/],
    [['--env-file='], /--env-file needs a path/],
  ])('refuses %j', (argv, message) => {
    expect(() => parseCliArgs(argv)).toThrow(UsageError);
    expect(() => parseCliArgs(argv)).toThrow(message);
  });
});
