import { describe, expect, it } from 'vitest';
import {
  appChainMs,
  deployCriticalPathMs,
  overheadLimitMs,
  ratio,
  teardownCriticalPathMs,
} from '../../bench/critical-path.js';
import { emulatorClock } from '../../bench/emulator-clock.js';
import { selectBenchmarks } from '../../bench/registry.js';
import { calls, summaryTable, textTable } from '../../bench/table.js';
import { timeScaleFor } from '../../bench/time-scale.js';
import type { Benchmark } from '../../bench/types.js';
import { REALISTIC_TIMING } from '../../emulator/timing.js';

describe('critical path from the timing profile', () => {
  it('is the app deployment when there is an app: pending, build, pending, deploy, plus six round trips', () => {
    expect(appChainMs(REALISTIC_TIMING)).toBe(100_000);
    expect(deployCriticalPathMs(REALISTIC_TIMING, { app: true, droplets: true })).toBe(100_720);
  });

  it('adds the custom domain a record points at the app: validated and certified once the app is live', () => {
    const shape = { app: true, droplets: true, appDomain: true };
    expect(deployCriticalPathMs(REALISTIC_TIMING, shape)).toBe(160_720);
  });

  it('is one droplet boot and first boot for droplets alone, however many there are', () => {
    // Boot 35 s, then cloud-init on the Docker 1-Click: 10 s to its final stage, 20 s pull, 3 s start.
    expect(deployCriticalPathMs(REALISTIC_TIMING, { app: false, droplets: true })).toBe(68_720);
    // Installing Docker first (Debian): 15 s index refresh and 90 s install more.
    expect(deployCriticalPathMs(REALISTIC_TIMING, { app: false, droplets: true, dockerReady: false })).toBe(
      173_720,
    );
  });

  it('is three round trips for teardown, with DigitalOcean’s deletion of droplets between them', () => {
    expect(teardownCriticalPathMs(REALISTIC_TIMING, { droplets: false })).toBe(360);
    expect(teardownCriticalPathMs(REALISTIC_TIMING, { droplets: true })).toBe(20_360);
  });

  it('allows 1.10 × the path plus one second, and rounds ratios to three places', () => {
    expect(overheadLimitMs(100_000)).toBeCloseTo(111_000);
    expect(ratio(103_779, 100_720)).toBe(1.03);
    expect(Number.isNaN(ratio(1, 0))).toBe(true);
  });
});

describe('time scale', () => {
  it("is the benchmark's default unless BENCH_TIME_SCALE says otherwise", () => {
    expect(timeScaleFor(10, {})).toBe(10);
    expect(timeScaleFor(10, { BENCH_TIME_SCALE: '' })).toBe(10);
    expect(timeScaleFor(10, { BENCH_TIME_SCALE: '2.5' })).toBe(2.5);
  });

  it('refuses a scale the emulator would refuse, naming the variable', () => {
    for (const bad of ['0', '-1', 'fast', '20000']) {
      expect(() => timeScaleFor(1, { BENCH_TIME_SCALE: bad })).toThrow(/BENCH_TIME_SCALE/);
    }
  });
});

describe('choosing benchmarks', () => {
  const fake = (name: string): Benchmark => ({
    name,
    title: name,
    defaultScale: 1,
    run: async () => ({ figures: {}, rows: [] }),
  });
  const all = [fake('deploy-teardown'), fake('scale'), fake('rate-limit')];

  it('runs every benchmark when none is named', () => {
    expect(selectBenchmarks([], all).selected.map((b) => b.name)).toEqual([
      'deploy-teardown',
      'scale',
      'rate-limit',
    ]);
  });

  it('runs the named ones in the list order and reports unknown names', () => {
    const { selected, unknown } = selectBenchmarks(['rate-limit', 'scale', 'exec'], all);
    expect(selected.map((b) => b.name)).toEqual(['scale', 'rate-limit']);
    expect(unknown).toEqual(['exec']);
  });

  it('knows the four benchmarks of this issue by name', () => {
    const { unknown } = selectBenchmarks(['deploy-teardown', 'scale', 'rate-limit', 'naive-baseline']);
    expect(unknown).toEqual([]);
  });
});

describe('tables', () => {
  it('aligns columns under a header and never cuts a cell', () => {
    const text = textTable(['a', 'bb'], [['long cell', 'x']]);
    expect(text.split('\n')).toEqual(['a          bb', '---------  --', 'long cell  x']);
  });

  it('shows the target column of the summary, empty where there is none', () => {
    const text = summaryTable([
      { benchmark: 'scale', measure: 'teardown', value: '1.0 s', target: '< 10 s tool time' },
      { benchmark: 'scale', measure: 'deploy', value: '40.0 s' },
    ]);
    expect(text).toContain('< 10 s tool time');
    expect(text.split('\n')[3]).toBe('scale      deploy    40.0 s');
  });

  it('describes API calls by method', () => {
    const summary = { total: 3, mutating: 1, byMethod: { GET: 2, POST: 1 }, retries: 0, rateLimited: 0 };
    expect(calls(summary)).toBe('3 calls (2 GET, 1 POST)');
  });
});

describe('the emulator clock', () => {
  it('sleeps in virtual time, following a scale that changes mid-sleep', async () => {
    let scale = 1000;
    const start = Date.now();
    const time = {
      now: () => start + (Date.now() - start) * scale,
      get timeScale() {
        return scale;
      },
    };
    const clock = emulatorClock(time);
    const before = clock.now();
    const sleeping = clock.sleep(20_000);
    scale = 2000;
    await sleeping;
    expect(clock.now() - before).toBeGreaterThanOrEqual(20_000);
  });

  it('stops sleeping when aborted', async () => {
    const clock = emulatorClock({ now: () => Date.now(), timeScale: 1 });
    const controller = new AbortController();
    const sleeping = clock.sleep(60_000, controller.signal);
    controller.abort(new Error('deadline reached'));
    await expect(sleeping).rejects.toThrow('deadline reached');
  });
});
