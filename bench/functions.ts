/**
 * Functions: each bundle's size against DigitalOcean's limit (1 MB, build.mjs), and its cold start
 * on Node 22 (load + first handler call up to the first API request), the median of 5 fresh
 * processes, against DESIGN.md's 150 ms bar. Speed never fails it: it prints whether each meets it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildFunctions, MAX_BUNDLE_BYTES } from '../build.mjs';
import { ensureFunctionsNode } from '../scripts/functions-node.mjs';
import { COLD_START_BAR_MS, coldStartEnv, measureColdStart } from './cold-start.js';
import { median } from './stats.js';
import { ROOT, withEmulator } from './support.js';
import { textTable } from './table.js';
import { BenchFailure, type Benchmark, type BenchResult, type SummaryRow } from './types.js';

const RUNS = 5;

export interface FunctionFigures {
  op: string;
  bytes: number;
  within_size_limit: boolean;
  load_ms?: number;
  to_first_request_ms?: number;
  cold_start_ms?: number;
  within_bar?: boolean;
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KB`;
const whole = (ms: number | undefined) => (ms === undefined ? '-' : `${Math.round(ms)} ms`);
const mark = (ok: boolean | undefined) => (ok === undefined ? '-' : ok ? '✔' : '✘');

/** Pure: the table printed for people, one row per function. */
export function functionsTable(rows: readonly FunctionFigures[]): string {
  return textTable(
    ['function', 'bundle', '≤ 1 MB', 'load', 'handler→request', 'cold start', `≤ ${COLD_START_BAR_MS} ms`],
    rows.map((r) => [
      r.op,
      kb(r.bytes),
      mark(r.within_size_limit),
      whole(r.load_ms),
      whole(r.to_first_request_ms),
      whole(r.cold_start_ms),
      mark(r.within_bar),
    ]),
  );
}

export const functionsBenchmark: Benchmark = {
  name: 'functions',
  title: `bundle size per function (≤ 1 MB) and cold start on Node 22, median of ${RUNS} (bar ${COLD_START_BAR_MS} ms)`,
  // Functions run at real speed; the emulator only answers their first requests.
  defaultScale: 1,
  run: ({ scale, print }) =>
    withEmulator(scale, {}, async (emu): Promise<BenchResult> => {
      const outDir = await mkdtemp(join(tmpdir(), 'base2-bench-functions-'));
      try {
        // The sample deployment is what the functions ship with, whatever BASE2_MANIFEST says here.
        const built = await buildFunctions({ root: ROOT, outDir, manifest: 'deployment.yml' });
        const fnNode = await ensureFunctionsNode();
        const nodePath = fnNode.path;
        if (fnNode.path === undefined) print(`no cold start figures: ${fnNode.reason}`);
        else print(`Node ${fnNode.version}, ${RUNS} fresh processes per function`);
        const env = coldStartEnv(emu);
        const rows: FunctionFigures[] = [];
        for (const fn of built) {
          const row: FunctionFigures = { op: fn.op, bytes: fn.bytes, within_size_limit: !fn.oversize };
          if (nodePath !== undefined) {
            const runs = [];
            for (let i = 0; i < RUNS; i++) runs.push(await measureColdStart(nodePath, fn, env));
            const missed = runs.find((r) => r.toFirstRequestMs === null);
            if (missed) throw new BenchFailure(`${fn.op} made no API request (status ${missed.statusCode})`);
            const total = runs.map((r) => r.loadMs + r.toFirstRequestMs!);
            row.load_ms = round1(median(runs.map((r) => r.loadMs)));
            row.to_first_request_ms = round1(median(runs.map((r) => r.toFirstRequestMs!)));
            row.cold_start_ms = round1(median(total));
            row.within_bar = row.cold_start_ms <= COLD_START_BAR_MS;
          }
          rows.push(row);
        }
        for (const line of functionsTable(rows).split('\n')) print(line);
        return {
          figures: {
            node: fnNode.path === undefined ? null : fnNode.version,
            runs: RUNS,
            bundle_limit_bytes: MAX_BUNDLE_BYTES,
            cold_start_bar_ms: COLD_START_BAR_MS,
            functions: rows,
          },
          rows: summaryRows(rows),
        };
      } finally {
        await rm(outDir, { recursive: true, force: true });
      }
    }),
};

const round1 = (ms: number) => Math.round(ms * 10) / 10;

function summaryRows(rows: readonly FunctionFigures[]): SummaryRow[] {
  return rows.map((r) => ({
    benchmark: 'functions',
    measure: `${r.op}: bundle, cold start (Node 22)`,
    value: `${kb(r.bytes)}, ${whole(r.cold_start_ms)}`,
    target: `≤ 1 MB ${mark(r.within_size_limit)}, ≤ ${COLD_START_BAR_MS} ms ${mark(r.within_bar)}`,
  }));
}
