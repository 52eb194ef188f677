/**
 * `npm run bench`: every benchmark in turn, or the ones named (`npm run bench -- scale rate-limit`),
 * each printing its figures as it goes; then one summary table, and bench/results.json. Speed never
 * fails a run: it exits non-zero only when an operation itself failed (or a name is unknown).
 */
import { BENCHMARKS, selectBenchmarks } from './registry.js';
import { saveResults } from './support.js';
import { seconds, summaryTable, textTable } from './table.js';
import { timeScaleFor } from './time-scale.js';
import type { SummaryRow } from './types.js';

async function main(argv: readonly string[]): Promise<number> {
  if (argv.includes('--list') || argv.includes('--help')) {
    console.log(
      textTable(
        ['benchmark', 'default scale', 'measures'],
        BENCHMARKS.map((b) => [b.name, String(b.defaultScale), b.title]),
      ),
    );
    console.log('\nnpm run bench [-- NAME ...]   BENCH_TIME_SCALE=N runs every benchmark at scale N');
    return 0;
  }
  const { selected, unknown } = selectBenchmarks(argv.filter((a) => !a.startsWith('-')));
  if (unknown.length > 0) {
    console.error(
      `Unknown benchmark(s): ${unknown.join(', ')}. Known: ${BENCHMARKS.map((b) => b.name).join(', ')}.`,
    );
    return 2;
  }
  let scales: number[];
  try {
    scales = selected.map((b) => timeScaleFor(b.defaultScale, process.env));
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    return 2;
  }
  const rows: SummaryRow[] = [];
  const failures: string[] = [];
  for (const [i, benchmark] of selected.entries()) {
    const scale = scales[i] ?? benchmark.defaultScale;
    console.log(`\n== ${benchmark.name} (time scale ${scale}): ${benchmark.title}`);
    const started = performance.now();
    try {
      const result = await benchmark.run({ scale, print: (line) => console.log(`   ${line}`) });
      const realMs = Math.round(performance.now() - started);
      await saveResults(benchmark.name, { time_scale: scale, real_ms: realMs, ...result.figures });
      rows.push(...result.rows);
      for (const failure of result.failures ?? []) failures.push(`${benchmark.name}: ${failure}`);
      console.log(`   (took ${seconds(realMs)} real time)`);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      failures.push(`${benchmark.name}: ${message}`);
      rows.push({ benchmark: benchmark.name, measure: 'FAILED', value: message });
      console.error(`   FAILED: ${message}`);
    }
  }
  console.log(`\n${summaryTable(rows)}`);
  console.log(
    "\nTimes are virtual (the emulator's clock): what DigitalOcean would take. Figures: bench/results.json",
  );
  if (failures.length > 0) {
    console.error(`\n${failures.length} operation(s) failed:\n${failures.join('\n')}`);
    return 1;
  }
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
