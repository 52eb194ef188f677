import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Emulator, type EmulatorOptions, startEmulator } from '../emulator/index.js';
import { runOperation } from '../lib/ops/run.js';
import type { AnyOperation, OpReport } from '../lib/ops/types.js';
import { emulatorClock } from './emulator-clock.js';
import { BenchFailure } from './types.js';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const RESULTS_FILE = join(ROOT, 'bench', 'results.json');

/** The realistic profile (emulator/timing.ts) at `scale`; 1 is DigitalOcean's own pace. */
export async function benchEmulator(scale: number, options: EmulatorOptions = {}): Promise<Emulator> {
  return startEmulator({ ...options, timeScale: scale });
}

/** Runs `work` against a fresh emulator and stops it whatever happens. */
export async function withEmulator<T>(
  scale: number,
  options: EmulatorOptions,
  work: (emu: Emulator) => Promise<T>,
): Promise<T> {
  const emu = await benchEmulator(scale, options);
  try {
    return await work(emu);
  } finally {
    await emu.stop();
  }
}

export function envFor(emu: Emulator, extra: Record<string, string> = {}): Record<string, string> {
  return {
    DIGITALOCEAN_TOKEN: emu.token,
    DIGITALOCEAN_API_URL: emu.apiUrl,
    DIGITALOCEAN_CA_FILE: emu.caCertPath,
    DO_SSH_PORT: String(emu.sshPort),
    DO_HTTP_PORT: String(emu.httpPort),
    // Registry names are global; the emulator holds `base2` for another customer.
    DO_REGISTRY_NAME: 'base2-bench',
    DEPLOY_ENV: 'staging',
    ...extra,
  };
}

/**
 * An operation's report with what it cost this machine: the real time it took, and the CPU time
 * of this process meanwhile (the tool's and the in-process emulator's work). Real time spent in
 * the process does not shrink with the time scale, so at scale N it shows as N times as much
 * virtual time: figures taken above scale 1 are pessimistic for the tool.
 */
export type BenchReport<R> = OpReport<R> & { real_ms: number; cpu_ms: number };

/** User + system CPU milliseconds of this process since `since`. */
function cpuMsSince(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
}

/**
 * Runs an operation the way the CLI does (runOperation, production polling and retries), against
 * the emulator, on its virtual clock: the report's times are what DigitalOcean would take.
 */
export async function bench<R>(
  emu: Emulator,
  operation: AnyOperation,
  input: Record<string, unknown>,
  extra: Record<string, string> = {},
): Promise<BenchReport<R>> {
  const started = performance.now();
  const cpu = process.cpuUsage();
  const report = (await runOperation(operation, input, {
    envSource: envFor(emu, extra),
    cwd: ROOT,
    clock: emulatorClock(emu.clock),
    random: Math.random,
    logSink: () => undefined,
    timeoutMs: 60 * 60_000,
  })) as OpReport<R>;
  return {
    ...report,
    real_ms: Math.round(performance.now() - started),
    cpu_ms: Math.round(cpuMsSince(cpu)),
  };
}

/** Throws a BenchFailure unless the operation ended in one of `expected` (a success by default). */
export function ensureStatus(
  report: OpReport<{ failure?: unknown }>,
  what: string,
  expected: readonly string[] = ['succeeded', 'noop'],
): void {
  if (expected.includes(report.status)) return;
  const failure = report.result?.failure;
  const detail =
    failure === undefined ? '' : `: ${typeof failure === 'string' ? failure : JSON.stringify(failure)}`;
  throw new BenchFailure(`${what} ended ${report.status}${detail}`);
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

export interface LoggedRequest {
  method: string;
  path: string;
  status: number;
}

/** The API requests the emulator answered (its own log, independent of the client's count). */
export async function emulatorRequests(emu: Emulator): Promise<LoggedRequest[]> {
  const answer = (await admin(emu, 'GET', '/_emulator/requests')) as { requests: LoggedRequest[] };
  return answer.requests;
}

export async function clearEmulatorRequests(emu: Emulator): Promise<void> {
  await admin(emu, 'DELETE', '/_emulator/requests');
}

/** The account as CI leaves it before a deploy: the registry exists and the image is pushed. */
export async function seedRegistry(emu: Emulator, tags: readonly string[] = ['latest']): Promise<void> {
  const { Agent, fetch } = await import('undici');
  const { rootCertificates } = await import('node:tls');
  const dispatcher = new Agent({ connect: { ca: [...rootCertificates, emu.caPem] } });
  try {
    const response = await fetch(`${emu.apiUrl}/v2/registry`, {
      method: 'POST',
      dispatcher,
      headers: { authorization: `Bearer ${emu.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'base2-bench', subscription_tier_slug: 'basic', region: 'nyc3' }),
    });
    if (response.status >= 400) throw new Error(`creating the registry: ${response.status}`);
    await response.text();
  } finally {
    await dispatcher.close();
  }
  for (const tag of tags)
    await admin(emu, 'POST', '/_emulator/registry/images', { repository: 'base2', tag });
  // Seeding is setup, not part of any figure.
  await clearEmulatorRequests(emu);
}

/** Adds one benchmark's figures to bench/results.json (kept between runs, keyed by name). */
export async function saveResults(name: string, figures: Record<string, unknown>): Promise<void> {
  let all: Record<string, unknown> = {};
  try {
    all = JSON.parse(await readFile(RESULTS_FILE, 'utf8')) as Record<string, unknown>;
  } catch {
    all = {};
  }
  all[name] = { ...figures, measured_at: new Date().toISOString() };
  await writeFile(RESULTS_FILE, `${JSON.stringify(all, null, 2)}\n`);
}
