/**
 * Helpers for the control-plane tests: the real functions built once into a temporary folder (so
 * test files never race on packages/ops), commands run in-process with captured output, and the
 * environment a user would have in .env for the emulator.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BuiltFunction, buildFunctions } from '../../build.mjs';
import { systemClock } from '../../lib/clock.js';
import type { CliIo } from '../../scripts/control-plane/cli-io.js';
import type { TestEmulator } from '../support/emulator.js';
import { ROOT, TEST_REGISTRY } from '../support/op-context.js';

export { ROOT };

export interface BuiltOnce {
  outDir: string;
  built: BuiltFunction[];
  remove(): Promise<void>;
}

/** Builds every packages/ops/<op> into a fresh temporary folder. */
export async function buildOnce(): Promise<BuiltOnce> {
  const outDir = await mkdtemp(join(tmpdir(), 'base2-plane-'));
  const built = await buildFunctions({ root: ROOT, outDir });
  return { outDir, built, remove: () => rm(outDir, { recursive: true, force: true }) };
}

/** What .env holds for bootstrap against this emulator (no web secret: bootstrap makes one). */
export function planeSource(t: TestEmulator, extra: Record<string, string> = {}): Record<string, string> {
  return {
    DIGITALOCEAN_TOKEN: t.emu.token,
    DIGITALOCEAN_API_URL: t.emu.apiUrl,
    DIGITALOCEAN_CA_FILE: t.emu.caCertPath,
    DO_SSH_PORT: String(t.emu.sshPort),
    DO_HTTP_PORT: String(t.emu.httpPort),
    DO_REGISTRY_NAME: TEST_REGISTRY,
    DEPLOY_ENV: 'staging',
    ...extra,
  };
}

export interface CapturedIo extends CliIo {
  out(): string;
  err(): string;
}

export function captureIo(source: Record<string, string | undefined>, cwd: string): CapturedIo {
  let out = '';
  let err = '';
  return {
    stdout: {
      write: (text) => {
        out += text;
      },
      isTTY: false,
    },
    stderr: {
      write: (text) => {
        err += text;
      },
      isTTY: false,
    },
    source,
    cwd,
    clock: systemClock,
    random: Math.random,
    out: () => out,
    err: () => err,
  };
}

/** The `KEY=value` lines of a .env file. */
export function envLines(text: string): Record<string, string> {
  return Object.fromEntries(
    text
      .split('\n')
      .filter((line) => /^[A-Z_]+=/.test(line))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
}
