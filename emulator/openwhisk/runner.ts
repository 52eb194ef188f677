/**
 * Runs one activation in its own Node process and supervises it: the time limit (from the moment
 * the runtime starts loading the action, as DigitalOcean counts initialisation in it), logs from
 * stdout/stderr, and the outcome in OpenWhisk's terms. User code runs at real speed, so its time
 * limit is real time: the emulator's time scale speeds up the platform, not the action.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import type { CodeLocation } from './code-store.js';
import { LogCollector } from './log-collector.js';
import type { ActivationStatusCode } from './state.js';

export interface RunRequest {
  nodeBinary: string;
  bootstrap: string;
  cwd: string;
  /** The process environment (no secrets of the emulator's own). */
  env: Record<string, string>;
  code: CodeLocation;
  main: string;
  /** Init parameters, set as environment variables by the runtime. */
  initEnv: Record<string, unknown>;
  params: Record<string, unknown>;
  context: Record<string, unknown>;
  timeoutMs: number;
  /**
   * Real milliseconds from the runtime's start to the deadline the action's context reports;
   * the time limit (`timeoutMs`) when absent. Never later than the time limit.
   */
  deadlineMs?: number;
  memoryMb: number;
  logLimitBytes: number;
  /** Virtual time, for log timestamps. */
  now: () => number;
}

export interface RunOutcome {
  statusCode: ActivationStatusCode;
  result: unknown;
  logs: string[];
  /** Real milliseconds: loading the action, and loading plus running it. */
  initMs: number;
  durationMs: number;
  timedOut: boolean;
}

export interface RunHandle {
  /** Resolves when the runtime starts loading the action (the process is up). */
  started: Promise<void>;
  /** Resolves when the action has answered (or the process ended): logs may still be arriving. */
  answered: Promise<void>;
  done: Promise<RunOutcome>;
  process: ChildProcess;
}

type Report =
  | { type: 'start' | 'ready' }
  | { type: 'result'; result: unknown }
  | { type: 'rejected'; error: unknown }
  | { type: 'init-error' | 'thrown'; error: string };

/** How long a process may take to boot before the platform gives up on it. */
const BOOT_LIMIT_MS = 30_000;

export function runAction(request: RunRequest): RunHandle {
  const child = spawn(request.nodeBinary, [`--max-old-space-size=${request.memoryMb}`, request.bootstrap], {
    cwd: request.cwd,
    env: request.env,
    stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
  });
  const logs = new LogCollector(request.now, request.logLimitBytes);
  const reports: Report[] = [];
  let startedAt: number | undefined;
  let readyAt: number | undefined;
  let timedOut = false;
  let limitTimer: NodeJS.Timeout | undefined;
  let resolveStarted: () => void = () => undefined;
  const started = new Promise<void>((resolve) => {
    resolveStarted = resolve;
  });
  let resolveAnswered: () => void = () => undefined;
  const answered = new Promise<void>((resolve) => {
    resolveAnswered = resolve;
  });
  const kill = () => child.kill('SIGKILL');
  const bootTimer = setTimeout(kill, BOOT_LIMIT_MS);

  const onReport = (report: Report) => {
    reports.push(report);
    if (report.type === 'start') {
      startedAt = performance.now();
      clearTimeout(bootTimer);
      limitTimer = setTimeout(() => {
        timedOut = true;
        kill();
      }, request.timeoutMs);
      resolveStarted();
    } else if (report.type === 'ready') {
      readyAt = performance.now();
    } else {
      resolveAnswered();
    }
  };
  readLines(child.stdio[3] as Readable, (line) => {
    try {
      onReport(JSON.parse(line) as Report);
    } catch {
      // Only the bootstrap writes to fd 3; an unreadable line is ignored like a stray write.
    }
  });
  readLines(child.stdout!, (line) => logs.add('stdout', line));
  readLines(child.stderr!, (line) => logs.add('stderr', line));
  child.stdin!.on('error', () => undefined);
  child.stdin!.end(
    JSON.stringify({
      code: request.code,
      main: request.main,
      env: request.initEnv,
      params: request.params,
      context: request.context,
      timeoutMs: request.timeoutMs,
      deadlineMs: Math.min(request.deadlineMs ?? request.timeoutMs, request.timeoutMs),
    }),
  );

  const done = new Promise<RunOutcome>((resolve) => {
    let spawnFailed = false;
    child.once('error', () => {
      spawnFailed = true;
    });
    child.once('close', () => {
      clearTimeout(bootTimer);
      clearTimeout(limitTimer);
      resolveStarted();
      resolveAnswered();
      const end = performance.now();
      const begin = startedAt ?? end;
      const outcome = spawnFailed
        ? { statusCode: 3 as const, result: { error: 'Failed to provision resources to run the action.' } }
        : judge(reports, { timedOut, timeoutMs: request.timeoutMs, loaded: readyAt !== undefined, logs });
      resolve({
        ...outcome,
        logs: logs.lines(),
        initMs: Math.round((readyAt ?? end) - begin),
        durationMs: Math.round(end - begin),
        timedOut,
      });
    });
  });
  return { started, answered, done, process: child };
}

/** The activation response OpenWhisk records for what the process reported. */
function judge(
  reports: Report[],
  facts: { timedOut: boolean; timeoutMs: number; loaded: boolean; logs: LogCollector },
): { statusCode: ActivationStatusCode; result: unknown } {
  if (facts.timedOut) {
    const phase = facts.loaded ? '.' : ' during initialization.';
    return {
      statusCode: 2,
      result: { error: `The action exceeded its time limits of ${facts.timeoutMs} milliseconds${phase}` },
    };
  }
  const last = reports.findLast((r) => r.type !== 'start' && r.type !== 'ready');
  if (!last) {
    if (facts.logs.mentions('heap out of memory'))
      return { statusCode: 2, result: { error: 'The action exhausted its memory and was aborted.' } };
    const error = facts.loaded
      ? 'The action did not produce a valid response and exited unexpectedly.'
      : 'The action did not initialize and exited unexpectedly.';
    return { statusCode: 2, result: { error } };
  }
  switch (last.type) {
    case 'init-error':
    case 'thrown':
      return { statusCode: 2, result: { error: last.error } };
    case 'rejected':
      return { statusCode: 1, result: { error: last.error } };
    case 'result':
      return classifyResult(last.result);
    default:
      return {
        statusCode: 2,
        result: { error: 'The action did not produce a valid response and exited unexpectedly.' },
      };
  }
}

function classifyResult(result: unknown): { statusCode: ActivationStatusCode; result: unknown } {
  if (typeof result !== 'object' || result === null) {
    return {
      statusCode: 2,
      result: {
        error: `The action did not produce a valid JSON or JSON Array response: ${JSON.stringify(result)}`,
      },
    };
  }
  const isApplicationError = !Array.isArray(result) && 'error' in result;
  return { statusCode: isApplicationError ? 1 : 0, result };
}

function readLines(stream: Readable, onLine: (line: string) => void): void {
  let buffered = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    buffered += chunk;
    let newline = buffered.indexOf('\n');
    while (newline >= 0) {
      onLine(buffered.slice(0, newline));
      buffered = buffered.slice(newline + 1);
      newline = buffered.indexOf('\n');
    }
  });
  stream.on('end', () => {
    if (buffered !== '') onLine(buffered);
    buffered = '';
  });
  stream.on('error', () => undefined);
}
