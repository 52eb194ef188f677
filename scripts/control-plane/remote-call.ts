/**
 * Calling a deployed operation over HTTPS, as CI or a person does: POST the input as JSON to
 * `<OPS_WEB_URL>/<op>` with the secret header, and, when waiting, call again while the answer is
 * "not done yet" (the operation continues from DigitalOcean's own state each time):
 * - `status: in_progress`: the function used its web time and stopped cleanly;
 * - 202 from the platform: the function is still running past the web limit (DigitalOcean let the
 *   call go asynchronous); calling again after a pause picks up whatever it finished;
 * - 504 `timeout` from the function: it ran out of time before it could answer.
 * An `in_progress` answer that kept the deployment locked for the next call carries its token
 * (`result.resume`): the next call passes it back as `resume`, so it continues under that lock at
 * once while anyone else keeps waiting.
 *
 * Calling again only helps while something moves. It stops early, as `stalled`, when calls keep
 * answering without progress: several calls in a row that end without an answer (each ran into
 * its time limit, so the next will too), or `in_progress` answers whose progress has not changed
 * over several calls and several minutes (DigitalOcean is stuck on something).
 */
import type { Clock, Random } from '../../lib/clock.js';
import { createHttps, toApiError } from '../../lib/do/index.js';
import type { OpReport, Progress } from '../../lib/ops/types.js';
import { SECRET_HEADER } from '../../lib/web/auth.js';
import { resumeTokenOf } from '../cli/output.js';
import type { RemoteEnv } from './remote-env.js';

export interface RemoteOptions {
  op: string;
  input: Record<string, unknown>;
  env: RemoteEnv;
  clock: Clock;
  random: Random;
  /** Keep calling while the operation is not done. */
  wait: boolean;
  /** How long to keep calling, from the first call. */
  timeoutMs: number;
  /** Pauses before calling again; defaults 1 s after `in_progress`, 10 s after a 202 or 504. */
  pauses?: { inProgressMs?: number; notReadyMs?: number };
  /** When calls count as making no progress (defaults: STALL_LIMITS). */
  stall?: Partial<StallLimits>;
  onProgress?: (update: Progress) => void;
  /** Ctrl-C: stop calling (the call in flight is abandoned; the function itself runs on). */
  stop?: AbortSignal;
}

export type RemoteOutcome =
  /** The operation's report: done, failed, or still `in_progress` when time (or --no-wait) ran out. */
  | { kind: 'report'; report: OpReport; calls: number }
  /** The function was still working when time ran out (202 or 504 on the last call). */
  | { kind: 'not_ready'; detail: string; calls: number }
  /**
   * Calls kept answering without progress: `unanswered` in a row (the last one's `detail`), or
   * the same `in_progress` progress for `calls` answers over `forMs` (the last `report`).
   */
  | {
      kind: 'stalled';
      reason: 'unanswered';
      detail: string;
      activationId?: string;
      calls: number;
      unanswered: number;
      /**
       * The longest of those calls in real milliseconds, when every one was cut far sooner than
       * DigitalOcean's 30 s: a platform whose clock runs fast (the emulator's --time-scale).
       */
      cutAfterMs?: number;
    }
  | {
      kind: 'stalled';
      reason: 'unchanged';
      report: OpReport;
      calls: number;
      unchanged: number;
      forMs: number;
    }
  /**
   * Stopped by the person (Ctrl-C, SIGTERM): `resume`, the token the last answer gave, when the
   * deployment stays locked for it; `inFlight`, when a call was abandoned mid-way.
   */
  | { kind: 'interrupted'; calls: number; resume?: string; inFlight: boolean }
  /** Refused or failed before running: the platform's or the function's error. */
  | { kind: 'refused'; status: number; error: RemoteError; calls: number };

export interface RemoteError {
  kind: string;
  message: string;
  hint?: string;
  [key: string]: unknown;
}

/** A web call answers within ~30 s on DigitalOcean; this only catches a connection that hangs. */
const REQUEST_TIMEOUT_MS = 90_000;

export interface StallLimits {
  /** Calls in a row that end without an answer (202 or the function's own 504)… */
  unansweredCalls: number;
  /** …spanning at least this long (a busy machine may need a few calls where DigitalOcean needs one). */
  unansweredMs: number;
  /** `in_progress` answers in a row with the same progress… */
  unchangedCalls: number;
  /** …spanning at least this long. */
  unchangedMs: number;
}

/**
 * An unanswered web call lasts 30 s on DigitalOcean: three or four in a row, over 90 s, are not a
 * slow moment. Five minutes with the same progress is longer than a droplet boot or an App
 * Platform deploy phase takes.
 */
export const STALL_LIMITS: StallLimits = {
  unansweredCalls: 3,
  unansweredMs: 90_000,
  unchangedCalls: 3,
  unchangedMs: 5 * 60_000,
};

/**
 * DigitalOcean cuts a web call that runs past its limit only after 30 s. Calls cut within 2 s are
 * not DigitalOcean's cut: the platform's clock runs more than 15 times faster than real time (an
 * emulator's --time-scale; 10 or less leaves the functions enough real time, docs/emulator.md), so
 * each call gets too little real time to answer and no number of calls helps. Slower cuts, on a
 * busy machine, keep the 90 s rule: the calls' work goes on in the background.
 */
export const FAST_CUT_MS = 2_000;

export async function callRemote(options: RemoteOptions): Promise<RemoteOutcome> {
  const giveUpAt = options.clock.now() + options.timeoutMs;
  const https = createHttps({
    clock: options.clock,
    random: options.random,
    caPem: options.env.caPem,
    requestTimeoutMs: REQUEST_TIMEOUT_MS,
    // A call in flight when --timeout runs out is not waited for past it (plus the transport's grace).
    deadline: { remainingMs: () => giveUpAt - options.clock.now() },
  });
  const url = `${options.env.webUrl}/${encodeURIComponent(options.op)}`;
  const progress = options.onProgress ?? (() => undefined);
  let input = options.input;
  let calls = 0;
  const limits = { ...STALL_LIMITS, ...options.stall };
  let unanswered = 0;
  let unansweredSince = 0;
  /** Real milliseconds of each unanswered call in the current run of them. */
  let cuts: number[] = [];
  let same: { key: string; since: number; count: number } | undefined;
  const interrupted = (inFlight: boolean): RemoteOutcome => ({
    kind: 'interrupted',
    calls,
    inFlight,
    ...(typeof input.resume === 'string' ? { resume: input.resume } : {}),
  });
  const pause = (ms: number) => options.clock.sleep(ms, options.stop).catch(() => undefined);
  try {
    for (;;) {
      if (options.stop?.aborted) return interrupted(false);
      calls += 1;
      const callStarted = options.clock.now();
      let answer: Answer;
      try {
        answer = await callOnce(https.request, url, options, input);
      } catch (error) {
        if (options.stop?.aborted) return interrupted(true);
        throw error;
      }
      const now = options.clock.now();
      // Another operation holding the deployment, between two unanswered calls, is most likely the
      // earlier call still running past its cut: it neither ends nor resets a run of them.
      const held = answer.kind === 'refused' && answer.status === 409 && answer.error.kind === 'conflict';
      if (answer.kind === 'not_ready') {
        unanswered += 1;
        cuts.push(now - callStarted);
      } else if (!held) {
        unanswered = 0;
        cuts = [];
      }
      if (unanswered === 1 && answer.kind === 'not_ready') unansweredSince = now;
      const key = answer.kind === 'report' ? progressKey(answer.report) : undefined;
      same =
        key === undefined
          ? undefined
          : same?.key === key
            ? { ...same, count: same.count + 1 }
            : { key, since: now, count: 1 };
      // Another operation holds the deployment (a scheduled maintain, a teammate's deploy): it is
      // released within minutes, so a caller that waits calls again rather than giving up.
      const heldPauseMs = options.pauses?.notReadyMs ?? 10_000;
      if (held && answer.kind === 'refused' && options.wait && giveUpAt - options.clock.now() > heldPauseMs) {
        progress({ step: `${options.op}: waiting for the deployment`, detail: answer.error.message });
        await pause(heldPauseMs);
        continue;
      }
      if (answer.kind === 'refused')
        return { ...answer, error: withTimeScaleHint(answer.error, now - callStarted, options.op), calls };
      const done = answer.kind === 'report' && answer.report.status !== 'in_progress';
      const pauseMs =
        answer.kind === 'report'
          ? (options.pauses?.inProgressMs ?? 1_000)
          : (options.pauses?.notReadyMs ?? 10_000);
      // Cut fast every time: the platform's clock outruns real time and more calls will not help.
      const fastCuts = cuts.length >= limits.unansweredCalls && cuts.every((ms) => ms < FAST_CUT_MS);
      if (
        !done &&
        options.wait &&
        answer.kind === 'not_ready' &&
        unanswered >= limits.unansweredCalls &&
        (fastCuts || now - unansweredSince >= limits.unansweredMs)
      ) {
        return {
          kind: 'stalled',
          reason: 'unanswered',
          detail: answer.detail,
          ...(answer.activationId ? { activationId: answer.activationId } : {}),
          calls,
          unanswered,
          ...(fastCuts ? { cutAfterMs: Math.max(...cuts) } : {}),
        };
      }
      if (
        !done &&
        options.wait &&
        answer.kind === 'report' &&
        same !== undefined &&
        same.count >= limits.unchangedCalls &&
        now - same.since >= limits.unchangedMs
      ) {
        return {
          kind: 'stalled',
          reason: 'unchanged',
          report: answer.report,
          calls,
          unchanged: same.count,
          forMs: now - same.since,
        };
      }
      // No time for another round: the last answer is the outcome.
      if (done || !options.wait || giveUpAt - options.clock.now() <= pauseMs) {
        return answer.kind === 'report'
          ? { kind: 'report', report: answer.report, calls }
          : { kind: 'not_ready', detail: answer.detail, calls };
      }
      // After a 202 or 504 the token stays: that call may still be working under it, and pauses the same lock.
      if (answer.kind === 'report') input = continuedInput(input, answer.report);
      if (options.stop?.aborted) return interrupted(false);
      progress(
        answer.kind === 'report'
          ? { step: `${options.op}: in progress`, detail: describeProgress(answer.report) }
          : { step: `${options.op}: still running`, detail: answer.detail },
      );
      await pause(pauseMs);
    }
  } finally {
    await https.close();
  }
}

type Answer =
  | { kind: 'report'; report: OpReport }
  | { kind: 'not_ready'; detail: string; activationId?: string }
  | { kind: 'refused'; status: number; error: RemoteError };

/** Pure: what an `in_progress` answer says about where the operation is (its resume token aside). */
export function progressKey(report: OpReport): string | undefined {
  if (report.status !== 'in_progress') return undefined;
  return JSON.stringify((report.result as { progress?: unknown } | undefined)?.progress ?? null);
}

/** Pure: the input of the call that continues after `report`, with the token it gave (or none). */
export function continuedInput(input: Record<string, unknown>, report: OpReport): Record<string, unknown> {
  const { resume: _previous, ...rest } = input;
  const token = resumeTokenOf(report);
  return token === undefined ? rest : { ...rest, resume: token };
}

async function callOnce(
  request: (url: string, init: RequestInit) => Promise<Response>,
  url: string,
  options: RemoteOptions,
  input: Record<string, unknown>,
): Promise<Answer> {
  let response: Response;
  try {
    response = await request(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        [SECRET_HEADER]: options.env.secret,
      },
      body: JSON.stringify(input),
      ...(options.stop ? { signal: options.stop } : {}),
    });
  } catch (error) {
    throw toApiError(error, { action: 'call', resource: `the ${options.op} function` });
  }
  const body = parseJson(await response.text());
  return interpret(response.status, response.headers.get('x-openwhisk-activation-id'), body, options.op);
}

/**
 * Pure: an operation that gave up at its own time limit in a call far shorter than DigitalOcean's
 * 30 s web call ran on a platform whose clock outruns real time (an emulator's --time-scale): the
 * error says so, since checking the network (its own hint) would not help.
 */
export function withTimeScaleHint(error: RemoteError, tookMs: number, op: string): RemoteError {
  if (tookMs >= FAST_CUT_MS || !/time limit ran out/.test(error.message)) return error;
  return {
    ...error,
    hint:
      `The call took ${(tookMs / 1000).toFixed(1)} s where DigitalOcean gives a web call 30 s: the platform's clock ` +
      "runs faster than real time (an emulator's --time-scale), so the operation runs out of time before " +
      'DigitalOcean can answer it. Restart the emulator with --time-scale 10 or less for npm run remote, or run ' +
      `the operation locally with \`npm run invoke -- ${op}\`.`,
  };
}

/** Pure: what one answer of the web function means. */
export function interpret(status: number, activationId: string | null, body: unknown, op: string): Answer {
  const activation = activationId ? ` (activation ${activationId})` : '';
  const id = activationId ? { activationId } : {};
  if (status === 202) {
    return {
      kind: 'not_ready',
      detail: `the function is still running past the web call's limit${activation}`,
      ...id,
    };
  }
  const error = errorOf(body);
  if (status === 504 && error?.kind === 'timeout') {
    return { kind: 'not_ready', detail: `the function ran out of time before answering${activation}`, ...id };
  }
  if (status === 200 && isReport(body)) return { kind: 'report', report: body };
  if (status === 401) {
    return {
      kind: 'refused',
      status,
      error: {
        kind: 'auth',
        message: 'The web secret was refused.',
        hint: 'Check OPS_WEB_SECRET: it must be the value bootstrap deployed (run `npm run bootstrap` to deploy the one in .env).',
      },
    };
  }
  if (status === 404) {
    return {
      kind: 'refused',
      status,
      error: {
        kind: 'config',
        message: `There is no ${op} function at OPS_WEB_URL.`,
        hint: 'Check OPS_WEB_URL, and run `npm run bootstrap` to deploy the functions.',
      },
    };
  }
  return {
    kind: 'refused',
    status,
    error: error ?? {
      kind: status >= 500 ? 'internal' : 'input',
      message: `The ${op} function answered ${status}${activation}${platformMessage(body)}.`,
    },
  };
}

function errorOf(body: unknown): RemoteError | undefined {
  const error = (body as { error?: unknown } | undefined)?.error;
  if (typeof error !== 'object' || error === null) return undefined;
  const { kind, message } = error as { kind?: unknown; message?: unknown };
  return typeof kind === 'string' && typeof message === 'string' ? (error as RemoteError) : undefined;
}

/** The platform's own errors are `{ "error": "<text>", "code": "<id>" }`. */
function platformMessage(body: unknown): string {
  const text = (body as { error?: unknown } | undefined)?.error;
  return typeof text === 'string' ? `: ${text.replace(/[.\s]+$/, '')}` : '';
}

function isReport(body: unknown): body is OpReport {
  const report = body as Partial<OpReport> | undefined;
  return typeof report?.op === 'string' && typeof report.status === 'string';
}

export function describeProgress(report: OpReport): string {
  const where = (report.result as { progress?: { phase?: unknown; detail?: unknown } } | undefined)?.progress;
  const parts = [where?.phase, where?.detail].filter((p): p is string => typeof p === 'string' && p !== '');
  return parts.length > 0 ? parts.join(': ') : 'continuing';
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
