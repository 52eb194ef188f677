/**
 * Rate limit: deploy, a no-change deploy and teardown of the sample deployment against a token
 * allowed 30 requests a minute (DigitalOcean allows 250). Twice: with the client told the limit
 * (DO_RATE_LIMIT_PER_MINUTE=30, its local sliding-minute cap) and with the client assuming
 * DigitalOcean's 250, as when another tool shares the token. DigitalOcean announces only the hourly
 * budget in `ratelimit-remaining`, so the client learns of the minute limit from 429 answers and
 * their `retry-after`. A 429 the client absorbs (waits, retries) is counted; one that makes an
 * operation fail has reached the user, and the run then exits non-zero once every figure is saved.
 */
import type { Emulator } from '../emulator/index.js';
import { isToolError } from '../lib/errors.js';
import { deployOperation } from '../lib/ops/deploy/index.js';
import { teardownOperation } from '../lib/ops/teardown/index.js';
import type { AnyOperation } from '../lib/ops/types.js';
import { admin, bench, emulatorRequests, seedRegistry, withEmulator } from './support.js';
import { seconds } from './table.js';
import type { Benchmark, BenchResult, BenchRun, SummaryRow } from './types.js';

export const TIGHT_PER_MINUTE = 30;

interface Scenario {
  name: string;
  description: string;
  env: Record<string, string>;
}

const SCENARIOS: readonly Scenario[] = [
  {
    name: 'limit_known',
    description: `client told the limit (DO_RATE_LIMIT_PER_MINUTE=${TIGHT_PER_MINUTE})`,
    env: { DO_RATE_LIMIT_PER_MINUTE: String(TIGHT_PER_MINUTE) },
  },
  {
    name: 'limit_unknown',
    description: "client assumes DigitalOcean's 250/min (token shared)",
    env: {},
  },
];

const STEPS: ReadonlyArray<readonly [string, AnyOperation]> = [
  ['deploy', deployOperation],
  ['no-change deploy', deployOperation],
  ['teardown', teardownOperation],
];

interface Outcome {
  step: string;
  /** The operation's status, or `error` when it threw (no report at all). */
  status: string;
  wall_ms?: number;
  api_calls?: number;
  client_saw_429?: number;
  error?: string;
}

/** A deploy's failure is `{ kind, detail, … }`, a teardown's a sentence. */
function failureText(failure: unknown): string {
  if (typeof failure === 'string') return failure;
  const detail = (failure as { detail?: unknown } | null)?.detail;
  return typeof detail === 'string' ? detail : JSON.stringify(failure);
}

async function runStep(emu: Emulator, step: string, operation: AnyOperation, env: Record<string, string>) {
  try {
    const report = await bench<{ failure?: unknown }>(emu, operation, { env: 'staging' }, env);
    const failure = report.result?.failure;
    return {
      step,
      status: report.status,
      wall_ms: report.wall_time_ms,
      api_calls: report.api_calls.total,
      client_saw_429: report.api_calls.rateLimited,
      ...(failure === undefined ? {} : { error: failureText(failure) }),
    } satisfies Outcome;
  } catch (error) {
    if (!isToolError(error)) throw error;
    return { step, status: 'error', error: error.message } satisfies Outcome;
  }
}

async function runScenario(scenario: Scenario, { scale, print }: BenchRun) {
  return withEmulator(scale, {}, async (emu) => {
    await seedRegistry(emu);
    // Set after seeding, which starts fresh windows: the operations alone spend the budget.
    await admin(emu, 'POST', '/_emulator/rate-limit', { per_minute: TIGHT_PER_MINUTE });
    const outcomes: Outcome[] = [];
    for (const [step, operation] of STEPS) outcomes.push(await runStep(emu, step, operation, scenario.env));
    const log = await emulatorRequests(emu);
    const failed = outcomes.filter((o) => o.status !== 'succeeded' && o.status !== 'noop');
    const figures = {
      description: scenario.description,
      outcomes,
      emulator_requests: log.length,
      // Only operations that returned a report count here; one that threw took its count with it.
      client_saw_429: outcomes.reduce((n, o) => n + (o.client_saw_429 ?? 0), 0),
      emulator_answered_429: log.filter((r) => r.status === 429).length,
      reached_user: failed.map((o) => `${o.step}: ${o.status}${o.error ? ` (${o.error})` : ''}`),
    };
    print(`${scenario.description}:`);
    for (const o of outcomes) {
      print(
        `  ${o.step.padEnd(16)} ${o.status}${o.wall_ms === undefined ? '' : ` in ${seconds(o.wall_ms)}`}` +
          `${o.client_saw_429 ? `, absorbed ${o.client_saw_429} × 429` : ''}${o.error ? `: ${o.error.slice(0, 160)}` : ''}`,
      );
    }
    print(
      `  ${figures.emulator_requests} requests; 429s answered by the emulator ${figures.emulator_answered_429}, ` +
        `reaching the user ${failed.length}`,
    );
    return figures;
  });
}

export const rateLimit: Benchmark = {
  name: 'rate-limit',
  title: `deploy, no-change deploy and teardown against ${TIGHT_PER_MINUTE} requests a minute`,
  // The limit's minute windows are virtual time: 10× turns minutes of waiting into seconds.
  defaultScale: 10,
  run: async (run): Promise<BenchResult> => {
    const figures: Record<string, unknown> = { per_minute: TIGHT_PER_MINUTE };
    const rows: SummaryRow[] = [];
    const failures: string[] = [];
    for (const scenario of SCENARIOS) {
      const f = await runScenario(scenario, run);
      figures[scenario.name] = f;
      failures.push(...f.reached_user.map((r) => `${scenario.description}: ${r}`));
      rows.push({
        benchmark: 'rate-limit',
        measure: scenario.description,
        value:
          `429s: ${f.emulator_answered_429} answered, ${f.reached_user.length} reached the user; ` +
          `${f.emulator_requests} requests`,
        target: '0 reach the user',
      });
    }
    return { figures, rows, failures };
  },
};
