/**
 * Helpers for the control-plane tests: the real functions built once into a temporary folder (so
 * test files never race on packages/ops), commands run in-process with captured output, and the
 * environment a user would have in .env for the emulator.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BuiltFunction, buildFunctions } from '../../build.mjs';
import { systemClock } from '../../lib/clock.js';
import { bootstrapPlane } from '../../scripts/control-plane/bootstrap-plane.js';
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

export interface BootstrappedPlane {
  /** The folder holding .env, which bootstrap wrote. */
  work: string;
  /** What `npm run remote` reads: the plane's source and the .env bootstrap wrote. */
  env: Record<string, string>;
  remove(): void;
}

/**
 * Bootstraps the control plane from `build` into the emulator, as `npm run bootstrap` would, and
 * pushes the image CI would have pushed (`base2:1.0.0`) into the registry a deploy reads.
 */
export async function bootstrappedPlane(
  t: TestEmulator,
  build: BuiltOnce,
  prefix: string,
): Promise<BootstrappedPlane> {
  const work = mkdtempSync(join(tmpdir(), prefix));
  const envFile = join(work, '.env');
  const source = planeSource(t);
  await bootstrapPlane({
    root: ROOT,
    source,
    envFile,
    clock: systemClock,
    random: Math.random,
    build: async () => build.built,
  });
  const env = { ...source, ...envLines(readFileSync(envFile, 'utf8')) };
  await t.admin('POST', '/v2/registry', {
    name: TEST_REGISTRY,
    subscription_tier_slug: 'basic',
    region: 'nyc3',
  });
  await t.admin('POST', '/_emulator/registry/images', { repository: 'base2', tag: '1.0.0' });
  return { work, env, remove: () => rmSync(work, { recursive: true, force: true }) };
}
