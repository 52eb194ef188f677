import { describe, expect, it } from 'vitest';
import { COLD_START_BAR_MS, coldStartEvent, parseColdStart } from '../../bench/cold-start.js';
import { caseLine, type ExecCase, summaryRow } from '../../bench/exec.js';
import { publicAddresses } from '../../bench/exec-baseline.js';
import { functionsTable } from '../../bench/functions.js';
import { BENCHMARKS, selectBenchmarks } from '../../bench/registry.js';
import { median, percentile, timesAsLong, timingStats } from '../../bench/stats.js';

describe('timing statistics', () => {
  it('takes the median of odd and even counts without reordering the input', () => {
    const values = [5, 1, 3];
    expect(median(values)).toBe(3);
    expect(values).toEqual([5, 1, 3]);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('takes percentiles by nearest rank, always a measured value', () => {
    const ten = [10, 1, 9, 2, 8, 3, 7, 4, 6, 5];
    expect(percentile(ten, 90)).toBe(9);
    expect(percentile(ten, 100)).toBe(10);
    expect(percentile(ten, 50)).toBe(5);
    expect(percentile([42], 90)).toBe(42);
  });

  it('refuses what has no answer', () => {
    expect(() => median([])).toThrow(RangeError);
    expect(() => percentile([1], 0)).toThrow(RangeError);
    expect(() => percentile([1], 101)).toThrow(RangeError);
  });

  it('summarizes runs to a tenth of a millisecond', () => {
    expect(timingStats([1.04, 2.26, 3.01])).toEqual({
      runs: 3,
      median_ms: 2.3,
      p90_ms: 3,
      min_ms: 1,
      max_ms: 3,
    });
  });

  it('gives the ratio to a baseline, none for a zero baseline', () => {
    expect(timesAsLong(339, 90)).toBe(3.77);
    expect(timesAsLong(5, 0)).toBeUndefined();
  });
});

describe('exec benchmark helpers', () => {
  it('reads public IPv4 addresses from a droplet list on the wire, skipping droplets without one', () => {
    const answer = {
      droplets: [
        {
          name: 'base2-exec-a1-1',
          networks: {
            v4: [
              { ip_address: '10.0.0.2', type: 'private' },
              { ip_address: '127.0.0.2', type: 'public' },
            ],
          },
        },
        { name: 'base2-exec-a1-2', networks: { v4: [] } },
      ],
    };
    expect(publicAddresses(answer)).toEqual([{ name: 'base2-exec-a1-1', host: '127.0.0.2' }]);
    expect(publicAddresses({})).toEqual([]);
  });

  const stats = { runs: 10, median_ms: 339, p90_ms: 410, min_ms: 300, max_ms: 420 };
  const withBaseline: ExecCase = {
    name: 'one droplet',
    target: 'base2-exec-a1-1',
    transport: 'ssh',
    wall: stats,
    overhead_median_ms: 336,
    api_calls_per_exec: 1,
    baseline: { runs: 10, median_ms: 90, p90_ms: 92, min_ms: 88, max_ms: 95 },
    over_baseline_ms: 249,
    ratio_to_baseline: 3.77,
  };

  it('prints a case with its baseline, and one without', () => {
    expect(caseLine(withBaseline)).toBe(
      'one droplet        ssh     median 339 ms, p90 410 ms, overhead 336 ms, 1 API calls/exec; ' +
        'bare ssh2 median 90 ms, p90 92 ms, ours − bare 249 ms, ours/bare 3.77',
    );
    const consoleCase: ExecCase = {
      name: 'app/web',
      target: 'app/web',
      transport: 'console',
      wall: stats,
      overhead_median_ms: 336,
      api_calls_per_exec: 2,
    };
    expect(caseLine(consoleCase)).not.toContain('bare');
    expect(summaryRow(consoleCase)).toEqual({
      benchmark: 'exec',
      measure: 'app/web (console), per exec',
      value: 'median 339 ms, p90 410 ms, 2 calls',
    });
    expect(summaryRow(withBaseline).value).toBe('median 339 ms, p90 410 ms, 1 calls, 3.77 × bare ssh2');
  });
});

describe('functions benchmark helpers', () => {
  it('reads the cold-start line the fixture prints last', () => {
    const stdout = 'some log\n{"node":"v18.20.8","loadMs":80.5,"toFirstRequestMs":40,"statusCode":200}\n';
    expect(parseColdStart(stdout)).toEqual({
      node: 'v18.20.8',
      loadMs: 80.5,
      toFirstRequestMs: 40,
      statusCode: 200,
    });
    expect(() => parseColdStart('{"other":1}')).toThrow(/not a cold-start line/);
  });

  it('gives every function an input that reads and changes nothing', () => {
    expect(coldStartEvent('exec')).toEqual({ target: 'droplets', command: 'true', dry_run: true });
    expect(coldStartEvent('deploy')).toEqual({ dry_run: true });
  });

  it('tables sizes and cold starts against the limits, with dashes where nothing was measured', () => {
    const table = functionsTable([
      {
        op: 'deploy',
        bytes: 572_416,
        within_size_limit: true,
        load_ms: 74,
        to_first_request_ms: 49,
        cold_start_ms: 123,
        within_bar: true,
      },
      {
        op: 'exec',
        bytes: 910_336,
        within_size_limit: true,
        load_ms: 130,
        to_first_request_ms: 39,
        cold_start_ms: 164,
        within_bar: false,
      },
      { op: 'info', bytes: 2_000_000, within_size_limit: false },
    ]).split('\n');
    expect(table[0]).toContain(`≤ ${COLD_START_BAR_MS} ms`);
    expect(table[2]).toMatch(/^deploy\s+559 KB\s+✔\s+74 ms\s+49 ms\s+123 ms\s+✔$/);
    expect(table[3]).toMatch(/^exec\s+889 KB\s+✔\s+130 ms\s+39 ms\s+164 ms\s+✘$/);
    expect(table[4]).toMatch(/^info\s+1953 KB\s+✘\s+-\s+-\s+-\s+-$/);
  });
});

describe('registry', () => {
  it('runs exec and functions after scale, and selects them by name', () => {
    expect(BENCHMARKS.map((b) => b.name)).toEqual([
      'deploy-teardown',
      'scale',
      'exec',
      'functions',
      'rate-limit',
      'naive-baseline',
    ]);
    expect(selectBenchmarks(['functions', 'exec']).selected.map((b) => b.name)).toEqual([
      'exec',
      'functions',
    ]);
  });
});
