import { readFileSync } from 'node:fs';
import type { Clock, Random } from '../clock.js';
import { type Env, loadEnv, secretsOf } from '../config/env.js';
import { parseInput } from '../config/input.js';
import { createDeadline, type Deadline, noDeadline } from '../deadline.js';
import { createDoClient, type RateBudget, sharedRateBudget } from '../do/index.js';
import type { Interrupt } from '../interrupt.js';
import { AuditTrail } from '../log/audit.js';
import { createLogger, type LogLevel } from '../log/logger.js';
import { Redactor } from '../log/redact.js';
import { createTiming } from './timing.js';
import { DEFAULT_TUNING, type Operation, type OpReport, type Progress, type Tuning } from './types.js';

/** What the host (CLI, web function, test, demo) provides; the core reaches for no globals. */
export interface RunOptions {
  /** Raw environment (process env merged with .env); validated here before any API call. */
  envSource: Record<string, string | undefined>;
  cwd: string;
  clock: Clock;
  random: Random;
  /** Where JSON log lines go (stderr for the CLI, the function log for functions). */
  logSink: (line: string) => void;
  /** A deadline from the host; without one, `timeoutMs` or no limit at all. */
  deadline?: Deadline;
  /**
   * The host's own cut, later than `deadline` (a web call's 30 s, less the time to answer): the
   * requests an operation makes while wrapping up after its deadline never run past it.
   */
  hardDeadline?: Deadline;
  timeoutMs?: number;
  onProgress?: (update: Progress) => void;
  tuning?: Partial<Tuning>;
  /** Secrets known to the host (web secret, SECRET env values) that must never be shown. */
  extraSecrets?: readonly string[];
  /**
   * The token's rate-limit budget. Without one, the process's budget for the token and API URL
   * (sharedRateBudget), so consecutive and parallel operations count each other's requests.
   */
  budget?: RateBudget;
  /** The host's request to stop (Ctrl-C in the CLI): no new change starts once it aborts. */
  interrupt?: Interrupt;
}

/** Validates environment and input, wires the context, runs the operation and accounts for it. */
export async function runOperation<I, R>(
  operation: Operation<I, R>,
  rawInput: unknown,
  options: RunOptions,
): Promise<OpReport<R>> {
  const redactor = new Redactor();
  for (const secret of options.extraSecrets ?? []) redactor.add(secret);
  const env: Env = loadEnv(options.envSource, { cwd: options.cwd });
  for (const secret of secretsOf(env)) redactor.add(secret);
  const input = parseInput(operation.input, rawInput, `The ${operation.name} input`);

  const started = options.clock.now();
  const log = createLogger({
    sink: options.logSink,
    level: env.logLevel as LogLevel,
    redactor,
    clock: options.clock,
    base: { op: operation.name },
  });
  const audit = new AuditTrail(log, options.clock);
  const deadline =
    options.deadline ??
    (options.timeoutMs === undefined ? noDeadline() : createDeadline(options.clock, options.timeoutMs));
  const budget =
    options.budget ??
    sharedRateBudget({
      apiUrl: env.apiUrl,
      token: env.token,
      clock: options.clock,
      perMinute: env.rateLimitPerMinute,
    });
  const api = createDoClient({
    token: env.token,
    apiUrl: env.apiUrl,
    caPem: env.caFile === undefined ? undefined : readFileSync(env.caFile, 'utf8'),
    clock: options.clock,
    random: options.random,
    budget,
    deadline,
    ...(options.hardDeadline ? { hardDeadline: options.hardDeadline } : {}),
  });

  const timing = createTiming(options.clock);
  const outcome = await runRedacted(redactor, api.close, () =>
    operation.run(input, {
      op: operation.name,
      env,
      api,
      log,
      audit,
      clock: options.clock,
      random: options.random,
      deadline,
      cwd: options.cwd,
      envSource: options.envSource,
      tuning: { ...DEFAULT_TUNING, ...options.tuning },
      timing,
      progress: (update) => options.onProgress?.(redactor.redactDeep(update)),
      ...(options.interrupt ? { interrupt: options.interrupt } : {}),
    }),
  );
  const report: OpReport<R> = {
    op: operation.name,
    ...outcome,
    warnings: outcome.warnings ?? [],
    audit: audit.records(),
    api_calls: api.calls.summary(),
    tool_time_ms: Math.max(0, options.clock.now() - started - timing.waitMs),
    wall_time_ms: options.clock.now() - started,
    platform_wait_ms: timing.platformWaitMs,
    lock_wait_ms: timing.lockWaitMs,
  };
  return redactor.redactDeep(report);
}

/** Errors leave the core with every known secret masked, whatever path they took. */
async function runRedacted<T>(
  redactor: Redactor,
  close: () => Promise<void>,
  work: () => Promise<T>,
): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof Error) {
      error.message = redactor.redact(error.message);
      error.stack = undefined;
    }
    throw error;
  } finally {
    await close();
  }
}
