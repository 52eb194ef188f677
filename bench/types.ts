/** What every benchmark is: a named run that prints its figures and hands back rows for the summary. */

/** One line of the final summary table. */
export interface SummaryRow {
  benchmark: string;
  measure: string;
  value: string;
  /** The quality bar it is read against, where there is one. */
  target?: string;
}

export interface BenchResult {
  /** Everything measured, as written to bench/results.json under the benchmark's name. */
  figures: Record<string, unknown>;
  rows: SummaryRow[];
  /**
   * Operations that failed although every figure was still taken (a benchmark whose subject is
   * failure, such as 429s reaching the user): the runner saves the figures, then exits non-zero.
   */
  failures?: string[];
}

export interface BenchRun {
  /** The time scale to run at (BENCH_TIME_SCALE or the benchmark's default). */
  scale: number;
  /** Prints a line for people as the benchmark goes. */
  print(line: string): void;
}

export interface Benchmark {
  name: string;
  /** What it measures, in one line (listed by `npm run bench -- --list`). */
  title: string;
  defaultScale: number;
  run(run: BenchRun): Promise<BenchResult>;
}

/** An operation itself failed: the runner reports it and exits non-zero (slowness never does). */
export class BenchFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BenchFailure';
  }
}
