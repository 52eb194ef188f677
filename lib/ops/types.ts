import type * as z from 'zod';
import type { Clock, Random } from '../clock.js';
import type { Env } from '../config/env.js';
import type { Deadline } from '../deadline.js';
import type { ApiCallSummary, DoApi } from '../do/index.js';
import type { Interrupt } from '../interrupt.js';
import type { AuditRecord, AuditTrail } from '../log/audit.js';
import type { Logger } from '../log/logger.js';
import type { Timing } from './timing.js';

export type OpName = 'deploy' | 'teardown' | 'edit' | 'maintain' | 'info' | 'exec' | 'status';

/** `noop` is a success that changed nothing; `in_progress` means "call again to continue". */
export type OpStatus = 'succeeded' | 'noop' | 'in_progress' | 'failed';

/** A progress line for people watching a long wait (terminal, remote --wait). */
export interface Progress {
  step: string;
  detail?: string;
  /** 0..1 where known. */
  fraction?: number;
}

/** Everything an operation may touch, passed in so the same code runs in a function, the CLI and tests. */
export interface OpContext {
  op: OpName;
  env: Env;
  api: DoApi;
  log: Logger;
  audit: AuditTrail;
  clock: Clock;
  random: Random;
  deadline: Deadline;
  cwd: string;
  /** The raw environment, for `${VAR}` substitution in the manifest and app spec. */
  envSource: Readonly<Record<string, string | undefined>>;
  progress(update: Progress): void;
  tuning: Tuning;
  /** Where the time goes: waits on the platform's work or on the lock are not tool time (./timing.ts). */
  timing: Timing;
  /** The host's request to stop (lib/interrupt.ts), where it can make one (the CLI). */
  interrupt?: Interrupt;
}

/** Knobs with production defaults that tests and benchmarks turn. */
export interface Tuning {
  /** First poll interval of a wait, and the most it backs off to. */
  pollInitialMs: number;
  pollMaxMs: number;
  /** How long one probe of a droplet's health URL waits for an answer (default 2 s; verification 5 s). */
  probeTimeoutMs?: number;
  /**
   * How long a droplet may take, once active, before its health URL must answer: cloud-init
   * installing Docker and pulling the image (default 10 minutes).
   */
  serviceStartMs?: number;
  /**
   * How long after a DELETE whose answer was lost a droplet still listed is taken as not deleted
   * (a deletion DigitalOcean accepted is over well within it). Optional: a minute when left out.
   */
  deleteSettleMs?: number;
}

export const DEFAULT_TUNING: Tuning = { pollInitialMs: 1000, pollMaxMs: 5000, deleteSettleMs: 60_000 };

export interface OpOutcome<R> {
  status: OpStatus;
  /** The deployment the operation concerned (`<name>-<env>`), where there is one. */
  deployment?: string;
  result: R;
  warnings?: string[];
}

export interface Operation<I, R> {
  name: OpName;
  summary: string;
  /** Mutating operations take the deployment lock and write audit records. */
  mutating: boolean;
  input: z.ZodType<I>;
  run(input: I, ctx: OpContext): Promise<OpOutcome<R>>;
  /** The result as a person reads it on a terminal (the CLI prints YAML without it). */
  render?(report: OpReport<R>): string;
}

/** What every entry point returns: the outcome plus the accounting users and tests rely on. */
export interface OpReport<R = unknown> extends OpOutcome<R> {
  op: OpName;
  warnings: string[];
  audit: AuditRecord[];
  api_calls: ApiCallSummary;
  /**
   * Wall time minus every wait: on DigitalOcean's own work (builds, boots, droplet actions,
   * deletions) and on another operation holding the deployment's lock.
   */
  tool_time_ms: number;
  wall_time_ms: number;
  platform_wait_ms: number;
  /** Time waited while another operation held the deployment's lock. */
  lock_wait_ms: number;
}

export function exitCodeOf(status: OpStatus): 0 | 1 {
  return status === 'failed' ? 1 : 0;
}

/** Any operation, whatever its input and result types (for registries and function entries). */
// biome-ignore lint/suspicious/noExplicitAny: operations differ in input and result types
export type AnyOperation = Operation<any, any>;
