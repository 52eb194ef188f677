/**
 * Exec: the tool's overhead per command, over SSH (one droplet, and all 10 at once) and over the App
 * Platform console, with a command that does nothing (`true`). Each run goes through runOperation as
 * the CLI's does: resolving the targets from the API, then connecting. The same command through a
 * bare ssh2 client (connect, exec, close; no API calls) is the baseline the tool is compared with.
 */
import type { Emulator } from '../emulator/index.js';
import { ed25519KeyPair } from '../lib/exec/keys.js';
import { type DeployResult, deployOperation } from '../lib/ops/deploy/index.js';
import { EXEC_CONCURRENCY, type ExecResult, execOperation } from '../lib/ops/exec/index.js';
import { bareSsh, bareSshAll, ownRunMs, publicAddresses, type SshEndpoint } from './exec-baseline.js';
import { median, ms, type TimingStats, timesAsLong, timingStats } from './stats.js';
import { admin, type BenchReport, bench, ensureStatus, seedRegistry, withEmulator } from './support.js';
import { BenchFailure, type Benchmark, type BenchResult, type SummaryRow } from './types.js';

const ENV = 'exec';
const SLUG = `base2-${ENV}`;
const COMMAND = 'true';
/** Measured runs per case, after one unmeasured warm-up (module loading, first TLS session). */
const RUNS = 10;
const DROPLETS = 10;
/** Building the deployment is setup, not a figure: it runs fast, then the clock drops to the scale asked. */
const SETUP_SCALE = 200;

export interface ExecCase {
  name: string;
  target: string;
  transport: 'ssh' | 'console';
  wall: TimingStats;
  overhead_median_ms: number;
  api_calls_per_exec: number;
  baseline?: TimingStats;
  /** Median wall time above the bare client's: the API lookup, checks, audit and result handling. */
  over_baseline_ms?: number;
  ratio_to_baseline?: number;
}

/** Adds the bare client's figures to a case measured through the tool. */
function withBaseline(c: ExecCase, baseline: TimingStats): ExecCase {
  return {
    ...c,
    baseline,
    over_baseline_ms: Math.round(c.wall.median_ms - baseline.median_ms),
    ratio_to_baseline: timesAsLong(c.wall.median_ms, baseline.median_ms),
  };
}

/** An exec of `true` that does not succeed is a failed operation, whatever its target said. */
function ensureSucceeded(report: BenchReport<ExecResult>, target: string): void {
  if (report.status === 'succeeded') return;
  const why = report.result.results.map((r) => r.error ?? `exit code ${r.exit_code}`).join('; ');
  throw new BenchFailure(`exec on ${target} ended ${report.status}: ${why}`);
}

/** Runs `measure` once to warm up, then RUNS times; virtual milliseconds each. */
async function repeat(measure: () => Promise<number>): Promise<number[]> {
  await measure();
  const values: number[] = [];
  for (let i = 0; i < RUNS; i++) values.push(await measure());
  return values;
}

/** Virtual milliseconds `work` takes on the emulator's clock, as every other figure here. */
async function timed(emu: Emulator, work: () => Promise<unknown>): Promise<number> {
  const started = emu.clock.now();
  await work();
  return emu.clock.now() - started;
}

export const execBenchmark: Benchmark = {
  name: 'exec',
  title: 'exec of `true` over SSH (one droplet, all 10) and the console: overhead, API calls, vs bare ssh2',
  // What is measured is the tool's own time, which a faster scale inflates (support.ts).
  defaultScale: 1,
  run: ({ scale, print }) =>
    // Ten droplets: an account whose droplet limit was raised (a new one's is 5).
    withEmulator(SETUP_SCALE, { dropletLimit: 20 }, async (emu): Promise<BenchResult> => {
      const pair = ed25519KeyPair(`${SLUG}-bench`);
      const env = {
        BASE2_MANIFEST: 'bench/fixtures/exec.yml',
        DO_SSH_PUBLIC_KEY: pair.public,
        DO_SSH_PRIVATE_KEY: pair.private,
      };
      await seedRegistry(emu);
      const deployed = await bench<DeployResult>(emu, deployOperation, { env: ENV }, env);
      ensureStatus(deployed, 'deploy of the app and 10 droplets');
      await admin(emu, 'POST', '/_emulator/clock', { time_scale: scale });
      // Droplet names carry a generation (`base2-exec-<gen>-1`): the first one by name is the single target.
      const listed = publicAddresses(
        await admin(emu, 'GET', `/v2/droplets?tag_name=${SLUG}&per_page=200`),
      ).sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }));
      const endpoints: SshEndpoint[] = listed.map((d) => ({ host: d.host, port: emu.sshPort }));
      if (endpoints.length !== DROPLETS)
        throw new Error(`expected ${DROPLETS} droplets with a public address, found ${endpoints.length}`);
      print(
        `deployed ${SLUG} (app + ${DROPLETS} droplets) at scale ${SETUP_SCALE}; measuring at scale ${scale}`,
      );

      // The command's own time, in virtual time like the rest (real time in-process × the scale).
      const ownMs = median(await repeat(() => ownRunMs(COMMAND))) * scale;
      print(`\`${COMMAND}\` on its own (sh -c, this machine): ${ms(ownMs)}`);

      const execCase = async (
        name: string,
        target: string,
        transport: 'ssh' | 'console',
      ): Promise<ExecCase> => {
        const calls: number[] = [];
        const wall = await repeat(async () => {
          const report = await bench<ExecResult>(
            emu,
            execOperation,
            { env: ENV, target, command: COMMAND },
            env,
          );
          ensureSucceeded(report, target);
          calls.push(report.api_calls.total);
          return report.wall_time_ms;
        });
        const stats = timingStats(wall);
        return {
          name,
          target,
          transport,
          wall: stats,
          overhead_median_ms: Math.round(stats.median_ms - ownMs),
          api_calls_per_exec: median(calls),
        };
      };

      const first = endpoints[0]!;
      const one = withBaseline(
        await execCase('one droplet', listed[0]!.name, 'ssh'),
        timingStats(await repeat(() => timed(emu, () => bareSsh(first, pair.private, COMMAND)))),
      );
      const all = withBaseline(
        await execCase(`all ${DROPLETS} droplets`, 'droplets', 'ssh'),
        timingStats(
          await repeat(() =>
            timed(emu, () => bareSshAll(endpoints, EXEC_CONCURRENCY, pair.private, COMMAND)),
          ),
        ),
      );

      const consoleCase = await execCase('app/web', 'app/web', 'console');
      const cases = [one, all, consoleCase];
      for (const c of cases) print(caseLine(c));
      return {
        figures: {
          command: COMMAND,
          runs: RUNS,
          droplets: DROPLETS,
          concurrency: EXEC_CONCURRENCY,
          command_own_ms: Math.round(ownMs * 10) / 10,
          cases,
        },
        rows: cases.map(summaryRow),
      };
    }),
};

/** Pure: one case as printed while the benchmark runs. */
export function caseLine(c: ExecCase): string {
  const base = c.baseline
    ? `; bare ssh2 median ${ms(c.baseline.median_ms)}, p90 ${ms(c.baseline.p90_ms)}, ` +
      `ours − bare ${ms(c.over_baseline_ms ?? 0)}, ours/bare ${c.ratio_to_baseline ?? '-'}`
    : '';
  return (
    `${c.name.padEnd(18)} ${c.transport.padEnd(7)} median ${ms(c.wall.median_ms)}, p90 ${ms(c.wall.p90_ms)}, ` +
    `overhead ${ms(c.overhead_median_ms)}, ${c.api_calls_per_exec} API calls/exec${base}`
  );
}

/** Pure: one case in the final summary table. */
export function summaryRow(c: ExecCase): SummaryRow {
  const ratio = c.ratio_to_baseline === undefined ? '' : `, ${c.ratio_to_baseline} × bare ssh2`;
  return {
    benchmark: 'exec',
    measure: `${c.name} (${c.transport}), per exec`,
    value: `median ${ms(c.wall.median_ms)}, p90 ${ms(c.wall.p90_ms)}, ${c.api_calls_per_exec} calls${ratio}`,
  };
}
