import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Emulator, type EmulatorOptions, startEmulator } from '../emulator/index.js';
import { systemClock } from '../lib/clock.js';
import { runOperation } from '../lib/ops/run.js';
import type { AnyOperation, OpReport } from '../lib/ops/types.js';

export const ROOT = join(import.meta.dirname, '..');

/** The realistic profile at a chosen speed; BENCH_TIME_SCALE=1 is DigitalOcean's own pace. */
export async function benchEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  return startEmulator({ timeScale: Number(process.env.BENCH_TIME_SCALE ?? 1), ...options });
}

export function envFor(emu: Emulator, extra: Record<string, string> = {}): Record<string, string> {
  return {
    DIGITALOCEAN_TOKEN: emu.token,
    DIGITALOCEAN_API_URL: emu.apiUrl,
    DIGITALOCEAN_CA_FILE: emu.caCertPath,
    DO_SSH_PORT: String(emu.sshPort),
    DO_HTTP_PORT: String(emu.httpPort),
    DEPLOY_ENV: 'staging',
    ...extra,
  };
}

/** Runs an operation the way the CLI does (production polling), against the emulator. */
export async function bench<R>(
  emu: Emulator,
  operation: AnyOperation,
  input: Record<string, unknown>,
  extra: Record<string, string> = {},
): Promise<OpReport<R>> {
  return (await runOperation(operation, input, {
    envSource: envFor(emu, extra),
    cwd: ROOT,
    clock: systemClock,
    random: Math.random,
    logSink: () => undefined,
    timeoutMs: 15 * 60_000,
  })) as OpReport<R>;
}

/** Admin calls to the emulator (seeding images, faults, the request log). */
export async function admin(emu: Emulator, method: string, path: string, body?: unknown): Promise<unknown> {
  const { Agent, fetch } = await import('undici');
  const { rootCertificates } = await import('node:tls');
  const dispatcher = new Agent({ connect: { ca: [...rootCertificates, emu.caPem] } });
  try {
    const response = await fetch(`${emu.apiUrl}${path}`, {
      method,
      dispatcher,
      headers: { authorization: `Bearer ${emu.token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (response.status >= 400)
      throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    return response.status === 204 ? undefined : response.json();
  } finally {
    await dispatcher.close();
  }
}

/** The account as CI leaves it before a deploy: the registry exists and the image is pushed. */
export async function seedRegistry(emu: Emulator, tags: readonly string[] = ['latest']): Promise<void> {
  const { Agent, fetch } = await import('undici');
  const { rootCertificates } = await import('node:tls');
  const dispatcher = new Agent({ connect: { ca: [...rootCertificates, emu.caPem] } });
  await fetch(`${emu.apiUrl}/v2/registry`, {
    method: 'POST',
    dispatcher,
    headers: { authorization: `Bearer ${emu.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'base2', subscription_tier_slug: 'basic', region: 'nyc3' }),
  });
  await dispatcher.close();
  for (const tag of tags)
    await admin(emu, 'POST', '/_emulator/registry/images', { repository: 'base2', tag });
}

/** Adds one benchmark's figures to bench/results.json (kept between runs, keyed by name). */
export async function saveResults(name: string, figures: Record<string, unknown>): Promise<void> {
  const file = join(ROOT, 'bench', 'results.json');
  let all: Record<string, unknown> = {};
  try {
    all = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  } catch {
    all = {};
  }
  all[name] = { ...figures, measured_at: new Date().toISOString() };
  await writeFile(file, `${JSON.stringify(all, null, 2)}\n`);
}

export const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
