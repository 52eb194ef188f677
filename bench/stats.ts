/** Pure summaries of repeated timings: the median and the 90th percentile, by nearest rank. */

export interface TimingStats {
  runs: number;
  median_ms: number;
  p90_ms: number;
  min_ms: number;
  max_ms: number;
}

/** The value at percentile `p` (0 < p ≤ 100) by nearest rank: always one of the measured values. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) throw new RangeError('no values to take a percentile of');
  if (!(p > 0 && p <= 100)) throw new RangeError(`percentile must be in (0, 100], not ${p}`);
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.ceil((p / 100) * sorted.length) - 1]!;
}

/** The middle value; of an even count, the mean of the two middle ones. */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('no values to take a median of');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const round1 = (ms: number) => Math.round(ms * 10) / 10;

export function timingStats(values: readonly number[]): TimingStats {
  return {
    runs: values.length,
    median_ms: round1(median(values)),
    p90_ms: round1(percentile(values, 90)),
    min_ms: round1(Math.min(...values)),
    max_ms: round1(Math.max(...values)),
  };
}

/** Ours over the baseline, two decimals; undefined when the baseline is zero. */
export function timesAsLong(ours: number, baseline: number): number | undefined {
  return baseline > 0 ? Math.round((ours / baseline) * 100) / 100 : undefined;
}

export const ms = (value: number): string => `${value.toFixed(value < 10 ? 1 : 0)} ms`;
