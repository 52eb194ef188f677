/**
 * One emulator per test file, reset between cases, and operations run exactly as `npm run invoke`
 * runs them (runOperation: env validation, our client, logger, audit) on a clock ten times faster
 * than real time, so retry-after pauses and backoff cost little while every wait keeps its shape.
 */
import type { TimingProfile } from '../../emulator/core/types.js';
import { DEFAULT_DROPLET_LIMIT } from '../../emulator/resources/account.js';
import { REALISTIC_TIMING } from '../../emulator/timing.js';
import type { Random } from '../../lib/clock.js';
import type { Deadline } from '../../lib/deadline.js';
import { isToolError, type ToolError } from '../../lib/errors.js';
import { runOperation } from '../../lib/ops/run.js';
import type { AnyOperation, OpReport, Progress } from '../../lib/ops/types.js';
import { startTestEmulator, type TestEmulator } from '../support/emulator.js';
import { ROOT, SAMPLE_ENV, TEST_REGISTRY } from '../support/op-context.js';
import { createScaledClock, type TestClock } from '../support/scaled-clock.js';
import { seededRandom } from './seeded.js';

/** The sample manifest with apponly and droponly environments and a droplet size from the environment. */
export const MANIFEST = 'test/hardening/fixtures/deployment.yml';
/** Droplets boot in ~0.1 s and app builds take ~0.3 s of real time. */
export const EMULATOR_SCALE = 300;
/** The operations' clock: a 30 s request timeout is 3 s real, a 1 s retry-after 0.1 s. */
export const CLOCK_SCALE = 10;
export const TUNING = { pollInitialMs: 200, pollMaxMs: 1_000, deleteSettleMs: 2_000 };
/**
 * Tool time between cases: past the rate budget's memory of 429s (5 minutes), yet well behind the
 * emulator's own clock (30 times faster than the tool's), whose rate-limit reset times the budget reads.
 */
const RESET_GAP_MS = 6 * 60_000;

export interface LoggedRequest {
  method: string;
  path: string;
  status: number;
}

/** What one run gave: a report, or the error it was refused or failed with; logs either way. */
export interface Attempt<R = unknown> {
  report?: OpReport<R>;
  error?: ToolError;
  logs: string[];
  progress: Progress[];
}

export interface RunOptions {
  /** Virtual milliseconds on the operation's clock. */
  timeoutMs?: number;
  /** Merged over the emulator's environment; an undefined value removes the variable. */
  env?: Record<string, string | undefined>;
  clock?: TestClock;
  /** Leave DEPLOY_ENV unset (it is `staging` otherwise). */
  noDefaultEnv?: boolean;
}

export interface Harness {
  t: TestEmulator;
  /** The operations' clock (scaled); `advance` moves it forward. */
  clock: TestClock;
  /** Time passes for the tool: e.g. beyond the lease of a lock whose holder was killed. */
  advance(ms: number): void;
  random: Random;
  /** The environment a user would point at this emulator, plus `extra`. */
  env(extra?: Record<string, string>): Record<string, string>;
  run<R = unknown>(operation: AnyOperation, input: unknown, options?: RunOptions): Promise<Attempt<R>>;
  /** Empties the emulator (resources, faults, request log) and pushes the images CI would have pushed. */
  reset(): Promise<void>;
  faults(rules: unknown): Promise<void>;
  clearFaults(): Promise<void>;
  /**
   * DigitalOcean's pace and the account's limits for the next run (`undefined`: the realistic
   * profile and a new account's limit again).
   */
  account(change?: { timing?: Partial<TimingProfile>; dropletLimit?: number }): Promise<void>;
  requests(): Promise<LoggedRequest[]>;
  clearRequests(): Promise<void>;
  stop(): Promise<void>;
}

/** A deadline on a scaled clock: both its remaining time and its abort signal follow that clock. */
export function clockDeadline(clock: TestClock, ms: number): Deadline {
  const end = clock.now() + Math.max(0, ms);
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new Error('deadline reached')),
    Math.max(0, ms) / clock.scale,
  );
  timer.unref?.();
  return {
    remainingMs: () => Math.max(0, end - clock.now()),
    expired: () => clock.now() >= end,
    signal: controller.signal,
  };
}

export const IMAGE_TAGS = ['latest', '1.4.2', '1.5.0', 'bad'] as const;

export async function startHarness(options: { seed?: number; timeScale?: number } = {}): Promise<Harness> {
  const t = await startTestEmulator({ timeScale: options.timeScale ?? EMULATOR_SCALE });
  const base = createScaledClock(CLOCK_SCALE);
  let offset = 0;
  const clock: TestClock = {
    scale: base.scale,
    waited: base.waited,
    now: () => base.now() + offset,
    sleep: (ms, signal) => base.sleep(ms, signal),
  };
  const random = seededRandom(options.seed);
  const env = (extra: Record<string, string> = {}) => ({
    DIGITALOCEAN_TOKEN: t.emu.token,
    DIGITALOCEAN_API_URL: t.emu.apiUrl,
    DIGITALOCEAN_CA_FILE: t.emu.caCertPath,
    DO_SSH_PORT: String(t.emu.sshPort),
    DO_HTTP_PORT: String(t.emu.httpPort),
    BASE2_MANIFEST: MANIFEST,
    ...SAMPLE_ENV,
    ...extra,
  });
  const harness: Harness = {
    t,
    clock,
    advance: (ms) => {
      offset += ms;
    },
    random,
    env,
    async run<R>(operation: AnyOperation, input: unknown, run: RunOptions = {}): Promise<Attempt<R>> {
      const logs: string[] = [];
      const progress: Progress[] = [];
      const opClock = run.clock ?? clock;
      try {
        const envSource: Record<string, string | undefined> = {
          ...env(run.noDefaultEnv ? {} : { DEPLOY_ENV: 'staging' }),
          ...run.env,
        };
        for (const [name, value] of Object.entries(envSource))
          if (value === undefined) delete envSource[name];
        const report = await runOperation(operation, input, {
          envSource,
          cwd: ROOT,
          clock: opClock,
          random,
          logSink: (line) => logs.push(line),
          deadline: clockDeadline(opClock, run.timeoutMs ?? 600_000),
          onProgress: (update) => progress.push(update),
          tuning: TUNING,
        });
        return { report: report as OpReport<R>, logs, progress };
      } catch (error) {
        if (!isToolError(error)) throw error;
        return { error, logs, progress };
      }
    },
    async reset() {
      // Each case starts minutes after the last, as far as the tool can tell: the token's rate
      // budget (shared per process) has forgotten the previous case's 429s and pacing.
      offset += RESET_GAP_MS;
      await t.admin('POST', '/_emulator/reset');
      await t.dots.v2.registry.post({ name: TEST_REGISTRY, subscriptionTierSlug: 'basic', region: 'nyc3' });
      for (const tag of IMAGE_TAGS)
        await t.admin('POST', '/_emulator/registry/images', { repository: 'base2', tag });
      await t.admin('DELETE', '/_emulator/requests');
    },
    faults: async (rules) => {
      await t.admin('POST', '/_emulator/faults', rules);
    },
    clearFaults: async () => {
      await t.admin('DELETE', '/_emulator/faults');
    },
    account: async (change) => {
      await t.admin('POST', '/_emulator/timing', { ...REALISTIC_TIMING, ...change?.timing });
      await t.admin('POST', '/_emulator/limits', {
        droplet_limit: change?.dropletLimit ?? DEFAULT_DROPLET_LIMIT,
      });
    },
    requests: () => t.requests(),
    clearRequests: async () => {
      await t.admin('DELETE', '/_emulator/requests');
    },
    stop: () => t.stop(),
  };
  return harness;
}

/** The report of a run that must have produced one (a refusal here is a test failure with its reason). */
export function reportOf<R>(attempt: Attempt<R>): OpReport<R> {
  if (!attempt.report) throw new Error(`expected a report, got ${attempt.error?.describe() ?? 'nothing'}`);
  return attempt.report;
}

/** One line about a report, for assertion messages. */
export function explain(attempt: Attempt): string {
  if (attempt.error) return `${attempt.error.name}: ${attempt.error.describe()}`;
  const report = attempt.report as OpReport<{ failure?: unknown; progress?: unknown }>;
  return `${report.status} ${JSON.stringify(report.result?.failure ?? report.result?.progress ?? '')}`;
}
