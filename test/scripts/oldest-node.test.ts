/**
 * The oldest Node the README and package.json's engines promise (20.10.0, installed from the npm
 * registry by scripts/oldest-node.mjs): the CLI deploys, reads, execs into the droplets and tears
 * down on it, and the emulator's CLI starts on it and answers. Node 20.10 lacks what later releases
 * added (`import.meta.dirname` among them, which `npm run demo` used until this test ran it there).
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'dotenv';
import { Agent, fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ed25519KeyPair } from '../../lib/exec/keys.js';
import { ensureOldestNode, OLDEST_NODE_VERSION } from '../../scripts/oldest-node.mjs';
import { snapshot } from '../hardening/end-state.js';
import { type Harness, startHarness } from '../hardening/harness.js';
import { ROOT } from '../support/op-context.js';

const run = promisify(execFile);
const SLUG = 'base2-staging';
const linuxX64 = process.platform === 'linux' && process.arch === 'x64';
/** The deployment's SSH key pair: exec needs the private half of the key deploy registers. */
const keys = ed25519KeyPair();

let node: string;
let h: Harness;

beforeAll(async () => {
  if (!linuxX64) return;
  const found = await ensureOldestNode();
  if (found.path === undefined) throw new Error(`no Node ${OLDEST_NODE_VERSION}: ${found.reason}`);
  node = found.path;
  h = await startHarness();
  await h.reset();
}, 600_000);
afterAll(async () => {
  await h?.stop();
});

/** `npm run invoke -- … --json` on the oldest Node: its exit code and its one JSON document. */
async function invoke(
  args: string[],
): Promise<{ code: number; body: Record<string, unknown>; stderr: string }> {
  const argv = ['--import', 'tsx', 'scripts/invoke.ts', ...args, '--json'];
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    ...h.env({ DO_SSH_PRIVATE_KEY: keys.private, DO_SSH_PUBLIC_KEY: keys.public }),
  };
  try {
    const { stdout, stderr } = await run(node, argv, { cwd: ROOT, env, maxBuffer: 16 * 1024 * 1024 });
    return { code: 0, body: JSON.parse(stdout) as Record<string, unknown>, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    throw new Error(
      `invoke ${args.join(' ')} exited ${e.code} on Node ${OLDEST_NODE_VERSION}: ${e.stderr.slice(-2000)}`,
    );
  }
}

describe('the code the tool runs', () => {
  it('uses no import.meta.dirname or import.meta.filename (Node 20.11+), which the demo met on 20.10', async () => {
    const { stdout } = await run(
      'git',
      ['ls-files', '--', 'lib', 'scripts', 'emulator', 'bench', 'packages', '*.mjs'],
      {
        cwd: ROOT,
      },
    );
    const files = stdout.split('\n').filter((f) => /\.(ts|mts|mjs|js)$/.test(f));
    expect(files.length).toBeGreaterThan(100);
    const offenders: string[] = [];
    for (const file of files) {
      if (/import\.meta\.(dirname|filename)/.test(await readFile(join(ROOT, file), 'utf8')))
        offenders.push(file);
    }
    expect(offenders).toEqual([]);
  });
});

describe.skipIf(!linuxX64)(`the tool on Node ${OLDEST_NODE_VERSION}, the oldest it supports`, () => {
  it('runs on exactly that version', async () => {
    const { stdout } = await run(node, ['--version']);
    expect(stdout.trim()).toBe(`v${OLDEST_NODE_VERSION}`);
  });

  it('deploys, reads, execs into the droplets and tears down through the CLI', async () => {
    const deployed = await invoke(['deploy', '--env', 'staging']);
    expect(deployed.body.status, deployed.stderr.slice(-2000)).toBe('succeeded');
    expect((await snapshot(h.t, SLUG)).owned.length).toBeGreaterThan(0);

    const info = await invoke(['info', '--env', 'staging']);
    expect(info.body.status).toBe('succeeded');
    expect(JSON.stringify(info.body.result)).toContain(SLUG);

    const exec = await invoke([
      'exec',
      '--env',
      'staging',
      '--target',
      'droplets',
      '--command',
      'echo on-$((6*7))',
    ]);
    expect(exec.body.status).toBe('succeeded');
    expect(JSON.stringify(exec.body.result)).toContain('on-42');

    const teardown = await invoke(['teardown', '--env', 'staging']);
    expect(teardown.body.status).toBe('succeeded');
    const after = await snapshot(h.t, SLUG);
    expect([after.owned, after.apps]).toEqual([[], []]);
  }, 300_000);

  it('starts the emulator, which answers the API, and stops it on SIGTERM', async () => {
    const scratch = await mkdtemp(join(tmpdir(), 'oldest-node-'));
    const envFile = join(scratch, 'emulator.env');
    const child = spawn(node, ['--import', 'tsx', 'emulator/cli.ts', '--', `--env-file=${envFile}`], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const printed = await untilReady(child);
      const agent = new Agent({ connect: { ca: await readFile(printed.DIGITALOCEAN_CA_FILE!) } });
      try {
        const response = await fetch(`${printed.DIGITALOCEAN_API_URL}/v2/account`, {
          headers: { authorization: `Bearer ${printed.DIGITALOCEAN_TOKEN}` },
          dispatcher: agent,
        });
        expect(response.status).toBe(200);
        expect(await response.json()).toHaveProperty('account.status', 'active');
      } finally {
        await agent.close();
      }
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await rm(scratch, { recursive: true, force: true });
    }
  }, 120_000);
});

/** The emulator CLI prints its facts as .env lines once it serves. */
async function untilReady(child: ChildProcess): Promise<Record<string, string>> {
  let out = '';
  let err = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    err += chunk.toString();
  });
  const deadline = Date.now() + 60_000;
  while (!/^DO_HTTP_PORT=\d+$/m.test(out)) {
    if (Date.now() > deadline || child.exitCode !== null)
      throw new Error(`the emulator did not start on Node ${OLDEST_NODE_VERSION}: ${out} ${err}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return parse(out);
}
