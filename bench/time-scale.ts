/**
 * Which time scale a benchmark runs at: its own default (realistic where time is what it measures,
 * faster where it is not), or BENCH_TIME_SCALE for all of them. Figures are read on the emulator's
 * virtual clock, so they mean the same at any scale, except that real time spent in this process
 * (the tool's own work and the in-process emulator's) counts N times at scale N: figures taken
 * faster than scale 1 are pessimistic for the tool, and scale 1 is the reference.
 */
export const MAX_TIME_SCALE = 10_000;

export function timeScaleFor(
  defaultScale: number,
  env: Readonly<Record<string, string | undefined>>,
): number {
  const raw = env.BENCH_TIME_SCALE;
  if (raw === undefined || raw.trim() === '') return defaultScale;
  const scale = Number(raw);
  if (!(scale > 0 && scale <= MAX_TIME_SCALE)) {
    throw new Error(`BENCH_TIME_SCALE must be a number above 0 and at most ${MAX_TIME_SCALE}, not "${raw}"`);
  }
  return scale;
}
