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
  onProgress?: (update: Progress) => void;
}

export type RemoteOutcome =
  /** The operation's report: done, failed, or still `in_progress` when time (or --no-wait) ran out. */
  | { kind: 'report'; report: OpReport; calls: number }
  /** The function was still working when time ran out (202 or 504 on the last call). */
  | { kind: 'not_ready'; detail: string; calls: number }
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

export async function callRemote(options: RemoteOptions): Promise<RemoteOutcome> {
  const https = createHttps({
    clock: options.clock,
    random: options.random,
    caPem: options.env.caPem,
    requestTimeoutMs: REQUEST_TIMEOUT_MS,
  });
  const url = `${options.env.webUrl}/${encodeURIComponent(options.op)}`;
  const giveUpAt = options.clock.now() + options.timeoutMs;
  const progress = options.onProgress ?? (() => undefined);
  let input = options.input;
  let calls = 0;
  try {
    for (;;) {
      calls += 1;
      const answer = await callOnce(https.request, url, options, input);
      // Another operation holds the deployment (a scheduled maintain, a teammate's deploy): it is
      // released within minutes, so a caller that waits calls again rather than giving up.
      const held = answer.kind === 'refused' && answer.status === 409 && answer.error.kind === 'conflict';
      const heldPauseMs = options.pauses?.notReadyMs ?? 10_000;
      if (held && options.wait && giveUpAt - options.clock.now() > heldPauseMs) {
        progress({ step: `${options.op}: waiting for the deployment`, detail: answer.error.message });
        await options.clock.sleep(heldPauseMs);
        continue;
      }
      if (answer.kind === 'refused') return { ...answer, calls };
      const done = answer.kind === 'report' && answer.report.status !== 'in_progress';
      const pauseMs =
        answer.kind === 'report'
          ? (options.pauses?.inProgressMs ?? 1_000)
          : (options.pauses?.notReadyMs ?? 10_000);
      // No time for another round: the last answer is the outcome.
      if (done || !options.wait || giveUpAt - options.clock.now() <= pauseMs) {
        return answer.kind === 'report'
          ? { kind: 'report', report: answer.report, calls }
          : { kind: 'not_ready', detail: answer.detail, calls };
      }
      // After a 202 or 504 the token stays: that call may still be working under it, and pauses the same lock.
      if (answer.kind === 'report') input = continuedInput(input, answer.report);
      progress(
        answer.kind === 'report'
          ? { step: `${options.op}: in progress`, detail: describeProgress(answer.report) }
          : { step: `${options.op}: still running`, detail: answer.detail },
      );
      await options.clock.sleep(pauseMs);
    }
  } finally {
    await https.close();
  }
}

type Answer =
  | { kind: 'report'; report: OpReport }
  | { kind: 'not_ready'; detail: string }
  | { kind: 'refused'; status: number; error: RemoteError };

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
    });
  } catch (error) {
    throw toApiError(error, { action: 'call', resource: `the ${options.op} function` });
  }
  const body = parseJson(await response.text());
  return interpret(response.status, response.headers.get('x-openwhisk-activation-id'), body, options.op);
}

/** Pure: what one answer of the web function means. */
export function interpret(status: number, activationId: string | null, body: unknown, op: string): Answer {
  const activation = activationId ? ` (activation ${activationId})` : '';
  if (status === 202) {
    return {
      kind: 'not_ready',
      detail: `the function is still running past the web call's limit${activation}`,
    };
  }
  const error = errorOf(body);
  if (status === 504 && error?.kind === 'timeout') {
    return { kind: 'not_ready', detail: `the function ran out of time before answering${activation}` };
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

function describeProgress(report: OpReport): string {
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
