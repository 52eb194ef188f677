/** Every benchmark `npm run bench` knows, in the order it runs them. */
import { deployTeardown } from './deploy-teardown.js';
import { execBenchmark } from './exec.js';
import { functionsBenchmark } from './functions.js';
import { naiveBaseline } from './naive-baseline.js';
import { rateLimit } from './rate-limit.js';
import { scaleBenchmark } from './scale.js';
import type { Benchmark } from './types.js';

export const BENCHMARKS: readonly Benchmark[] = [
  deployTeardown,
  scaleBenchmark,
  execBenchmark,
  functionsBenchmark,
  rateLimit,
  naiveBaseline,
];

/** The benchmarks `names` asks for, in the list's order (all when none), and the names that match none. */
export function selectBenchmarks(
  names: readonly string[],
  all: readonly Benchmark[] = BENCHMARKS,
): { selected: Benchmark[]; unknown: string[] } {
  if (names.length === 0) return { selected: [...all], unknown: [] };
  const unknown = names.filter((n) => !all.some((b) => b.name === n));
  return { selected: all.filter((b) => names.includes(b.name)), unknown };
}
