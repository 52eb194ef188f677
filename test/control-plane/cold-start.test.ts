/**
 * Cold start per function on Node 22 (DigitalOcean's nodejs:22): loading the bundle, then its
 * handler up to the first API request, each in a fresh process against the emulator. It prints the
 * figures with the bundle sizes; the only assertion on time is a generous sanity bound.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COLD_START_BAR_MS, type ColdStart, coldStartEnv, measureColdStart } from '../../bench/cold-start.js';
import { median } from '../../bench/stats.js';
import { loadFunctionsNodeModule } from '../build/modules.js';
import { startTestEmulator, type TestEmulator } from '../support/emulator.js';
import { type BuiltOnce, buildOnce } from './support.js';

const SANITY_BOUND_MS = 5_000;
/** Fresh processes per function; the median keeps one slow start on a busy machine from misleading. */
const RUNS = 3;

let t: TestEmulator;
let build: BuiltOnce;

beforeAll(async () => {
  [t, build] = await Promise.all([startTestEmulator(), buildOnce()]);
}, 120_000);

afterAll(async () => {
  await Promise.all([t?.stop(), build?.remove()]);
});

describe('cold start on Node 22', () => {
  it('loads each function and reaches its first API request quickly', async ({ skip }) => {
    const fnNode = await (await loadFunctionsNodeModule()).ensureFunctionsNode();
    if (!fnNode.path) {
      const reason = 'reason' in fnNode ? fnNode.reason : 'no Node 22';
      if (process.env.CI) throw new Error(`CI needs Node 22: ${reason}`);
      skip(reason);
      return;
    }
    const env = coldStartEnv(t.emu);
    const rows: string[] = [];
    for (const fn of build.built) {
      const runs: ColdStart[] = [];
      for (let i = 0; i < RUNS; i++) {
        const figures = await measureColdStart(fnNode.path, fn, env);
        expect(figures.node).toMatch(/^v22\./);
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
      `cold start on Node ${fnNode.version}, median of ${RUNS} (budget ${COLD_START_BAR_MS} ms; bundles 1024 KB):\n${rows.join('\n')}`,
    );
  }, 120_000);
});
