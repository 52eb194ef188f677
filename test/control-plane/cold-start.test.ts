/**
 * Cold start per function on Node 18 (DigitalOcean's nodejs:18): loading the bundle, then its
 * handler up to the first API request, each in a fresh process against the emulator. It prints the
 * figures with the bundle sizes; the only assertion on time is a generous sanity bound.
 */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadNode18Module } from '../build/modules.js';
import { startTestEmulator, type TestEmulator } from '../support/emulator.js';
import { type BuiltOnce, buildOnce } from './support.js';

const run = promisify(execFile);
const LOADER = resolve(import.meta.dirname, 'fixtures/cold-start.cjs');
/** Inputs that make each operation read DigitalOcean and change nothing. */
const INPUT: Record<string, Record<string, unknown>> = {
  info: { scope: 'account' },
  exec: { target: 'droplets', command: 'true', dry_run: true },
  edit: { image_tag: '1.4.2', dry_run: true },
};
const SANITY_BOUND_MS = 5_000;
/** Fresh processes per function; the median keeps one slow start on a busy machine from misleading. */
const RUNS = 3;

interface Figures {
  node: string;
  loadMs: number;
  toFirstRequestMs: number | null;
  statusCode: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

let t: TestEmulator;
let build: BuiltOnce;

beforeAll(async () => {
  [t, build] = await Promise.all([startTestEmulator(), buildOnce()]);
}, 120_000);

afterAll(async () => {
  await Promise.all([t?.stop(), build?.remove()]);
});

describe('cold start on Node 18', () => {
  it('loads each function and reaches its first API request quickly', async ({ skip }) => {
    const node18 = await (await loadNode18Module()).ensureNode18();
    if (!node18.path) {
      const reason = 'reason' in node18 ? node18.reason : 'no Node 18';
      if (process.env.CI) throw new Error(`CI needs Node 18: ${reason}`);
      skip(reason);
      return;
    }
    const env = {
      PATH: process.env.PATH ?? '',
      NODE_EXTRA_CA_CERTS: t.emu.caCertPath,
      DIGITALOCEAN_TOKEN: t.emu.token,
      DIGITALOCEAN_API_URL: t.emu.apiUrl,
      DO_HTTP_PORT: String(t.emu.httpPort),
      DO_SSH_PORT: String(t.emu.sshPort),
      DEPLOY_ENV: 'staging',
      LOG_LEVEL: 'error',
    };
    const rows: string[] = [];
    for (const fn of build.built) {
      const event = JSON.stringify(INPUT[fn.op] ?? { dry_run: true });
      const runs: Figures[] = [];
      for (let i = 0; i < RUNS; i++) {
        const { stdout } = await run(node18.path, [LOADER, fn.file, event], {
          env,
          cwd: fn.dir,
          timeout: 60_000,
        });
        const figures = JSON.parse(stdout.trim().split('\n').at(-1)!) as Figures;
        expect(figures.node).toMatch(/^v18\./);
        expect(
          figures.toFirstRequestMs,
          `${fn.op} made no API request (status ${figures.statusCode})`,
        ).not.toBeNull();
        runs.push(figures);
      }
      const load = median(runs.map((r) => r.loadMs));
      const handler = median(runs.map((r) => r.toFirstRequestMs!));
      expect(load + handler).toBeLessThan(SANITY_BOUND_MS);
      rows.push(
        `${fn.op.padEnd(9)} ${(fn.bytes / 1024).toFixed(0).padStart(5)} KB  load ${load.toFixed(0).padStart(4)} ms` +
          `  handler→first request ${handler.toFixed(0).padStart(4)} ms  cold start ${(load + handler).toFixed(0).padStart(4)} ms`,
      );
    }
    console.log(
      `cold start on Node ${node18.version}, median of ${RUNS} (budget 150 ms; bundles 1024 KB):\n${rows.join('\n')}`,
    );
  }, 120_000);
});
