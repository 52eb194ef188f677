/**
 * Scale: a deploy of 10 droplets (one create request of ten names; the critical path is one boot),
 * a deploy of 50 (five requests in parallel), and the teardown of those 50 droplets with their 50
 * DNS records (bulk delete by tag; the quality bar is under 10 s of tool time).
 */
import type { Emulator } from '../emulator/index.js';
import { REALISTIC_TIMING } from '../emulator/timing.js';
import { type DeployResult, deployOperation } from '../lib/ops/deploy/index.js';
import { type TeardownResult, teardownOperation } from '../lib/ops/teardown/index.js';
import { deployCriticalPathMs, ratio } from './critical-path.js';
import {
  type BenchReport,
  bench,
  clearEmulatorRequests,
  emulatorRequests,
  ensureStatus,
  type LoggedRequest,
  seedRegistry,
  withEmulator,
} from './support.js';
import { calls, seconds } from './table.js';
import type { Benchmark, BenchResult, SummaryRow } from './types.js';

const MANIFEST = { BASE2_MANIFEST: 'bench/fixtures/scale.yml' };
const TEARDOWN_TOOL_BAR_MS = 10_000;

const count = (log: readonly LoggedRequest[], method: string, path: RegExp) =>
  log.filter((r) => r.method === method && path.test(r.path)).length;

/** Runs one operation with a clean request log, and returns its report with the log it left. */
async function measured<R>(emu: Emulator, op: Parameters<typeof bench>[1], env: string) {
  await clearEmulatorRequests(emu);
  const report = await bench<R>(emu, op, { env }, MANIFEST);
  return { report, log: await emulatorRequests(emu) };
}

function deployFigures(report: BenchReport<DeployResult>, log: readonly LoggedRequest[], droplets: number) {
  const criticalPathMs = deployCriticalPathMs(REALISTIC_TIMING, { app: false, droplets: true });
  return {
    droplets,
    status: report.status,
    wall_ms: report.wall_time_ms,
    tool_ms: report.tool_time_ms,
    critical_path_ms: criticalPathMs,
    ratio_to_critical_path: ratio(report.wall_time_ms, criticalPathMs),
    droplet_create_requests: count(log, 'POST', /^\/v2\/droplets$/),
    record_creates: count(log, 'POST', /^\/v2\/domains\/[^/]+\/records$/),
    api_calls: report.api_calls,
    real_ms: report.real_ms,
    cpu_ms: report.cpu_ms,
  };
}

function teardownFigures(report: BenchReport<TeardownResult>, log: readonly LoggedRequest[]) {
  return {
    status: report.status,
    wall_ms: report.wall_time_ms,
    tool_ms: report.tool_time_ms,
    within_bar: report.tool_time_ms < TEARDOWN_TOOL_BAR_MS,
    deleted: report.result.applied.map(
      (a) => `${a.kind} ${a.name}${a.detail ? ` (${a.detail.slice(0, 40)})` : ''}`,
    ),
    bulk_droplet_deletes: count(log, 'DELETE', /^\/v2\/droplets$/),
    single_droplet_deletes: count(log, 'DELETE', /^\/v2\/droplets\/\d+$/),
    record_deletes: count(log, 'DELETE', /^\/v2\/domains\/[^/]+\/records\/\d+$/),
    domain_deletes: count(log, 'DELETE', /^\/v2\/domains\/[^/]+$/),
    api_calls: report.api_calls,
    real_ms: report.real_ms,
    cpu_ms: report.cpu_ms,
  };
}

export const scaleBenchmark: Benchmark = {
  name: 'scale',
  title: 'deploy of 10 and of 50 droplets against one boot; teardown of 50 droplets and 50 records',
  // The ratios are the point, and a faster scale inflates the tool's own time (support.ts).
  defaultScale: 1,
  run: ({ scale, print }) =>
    // Fifty droplets: an account whose droplet limit was raised (a new one's is 5).
    withEmulator(scale, { dropletLimit: 60 }, async (emu): Promise<BenchResult> => {
      await seedRegistry(emu);
      const ten = await measured<DeployResult>(emu, deployOperation, 'ten');
      ensureStatus(ten.report, 'deploy of 10 droplets');
      const tenFigures = deployFigures(ten.report, ten.log, 10);
      print(
        `deploy 10 droplets: wall ${seconds(tenFigures.wall_ms)}, one boot + round trips ${seconds(tenFigures.critical_path_ms)}, ` +
          `ratio ${tenFigures.ratio_to_critical_path}, ${tenFigures.droplet_create_requests} create request(s), ${calls(ten.report.api_calls)}`,
      );
      const tenDown = await measured<TeardownResult>(emu, teardownOperation, 'ten');
      ensureStatus(tenDown.report, 'teardown of 10 droplets');

      const fleet = await measured<DeployResult>(emu, deployOperation, 'fleet');
      ensureStatus(fleet.report, 'deploy of 50 droplets');
      const fleetFigures = deployFigures(fleet.report, fleet.log, 50);
      print(
        `deploy 50 droplets: wall ${seconds(fleetFigures.wall_ms)}, ratio ${fleetFigures.ratio_to_critical_path}, ` +
          `${fleetFigures.droplet_create_requests} create requests, ${fleetFigures.record_creates} records, ${calls(fleet.report.api_calls)}`,
      );
      const down = await measured<TeardownResult>(emu, teardownOperation, 'fleet');
      ensureStatus(down.report, 'teardown of 50 droplets');
      const downFigures = teardownFigures(down.report, down.log);
      print(
        `teardown 50 droplets + 50 records: tool ${seconds(downFigures.tool_ms)} (${seconds(down.report.real_ms)} real), ` +
          `${downFigures.bulk_droplet_deletes} bulk droplet delete(s), ${downFigures.single_droplet_deletes} single, ` +
          `${downFigures.record_deletes} record deletes, ${downFigures.domain_deletes} domain delete, ${calls(down.report.api_calls)}`,
      );
      const rows: SummaryRow[] = [
        {
          benchmark: 'scale',
          measure: 'deploy 10 droplets / one boot',
          value: `${seconds(tenFigures.wall_ms)} / ${seconds(tenFigures.critical_path_ms)} = ${tenFigures.ratio_to_critical_path}`,
          target: '≤ 1.10 × + 1 s',
        },
        {
          benchmark: 'scale',
          measure: 'deploy 50 droplets / one boot',
          value: `${seconds(fleetFigures.wall_ms)} / ${seconds(fleetFigures.critical_path_ms)} = ${fleetFigures.ratio_to_critical_path}`,
        },
        {
          benchmark: 'scale',
          measure: 'teardown 50 droplets + 50 records',
          value: `${seconds(downFigures.tool_ms)}, ${calls(down.report.api_calls)}`,
          target: '< 10 s tool time',
        },
      ];
      return {
        figures: {
          deploy_10: tenFigures,
          teardown_10: teardownFigures(tenDown.report, tenDown.log),
          deploy_50: fleetFigures,
          teardown_50: downFigures,
        },
        rows,
      };
    }),
};
