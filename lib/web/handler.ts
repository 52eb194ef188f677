/**
 * The DigitalOcean Functions entry every `packages/ops/<op>/index.ts` exports as `main`. It is the
 * one top-level catch for a function: it authenticates, translates the platform event, bounds the
 * work by a deadline, and shapes every outcome (result, ToolError, unexpected fault) into one
 * `{ statusCode, headers, body }` that never carries a stack or a secret.
 */
import { type Clock, systemClock } from '../clock.js';
import { AuthError, isToolError } from '../errors.js';
import { createLogger, type Logger, stdoutSink } from '../log/logger.js';
import { Redactor } from '../log/redact.js';
import { type JsonValue, toJsonValue } from '../log/serialize.js';
import { checkSecret } from './auth.js';
import { type Deadline, deadlineFrom, type TimedContext, WEB_LIMIT_MS } from './deadline.js';
import { isJsonContentType, parseEvent, type RequestHead, requestHead, type WebRequest } from './event.js';
import { HttpError } from './http-error.js';
import { fitBody } from './truncate.js';

/** The invocation context DigitalOcean's Node.js runtime passes as the handler's second argument. */
export interface FunctionContext extends TimedContext {
  activationId?: string;
  functionName?: string;
  functionVersion?: string;
  namespace?: string;
  requestId?: string;
  apiHost?: string;
}

export interface RunContext {
  deadline: Deadline;
  /** Push secret values learned while running (token, keys): they are masked in the response too. */
  secrets: string[];
  headers: Record<string, string>;
  logger: Logger;
  redactor: Redactor;
}

export interface RunResult {
  statusCode?: number;
  body: unknown;
}

export interface WebHandlerOptions {
  op: string;
  run: (params: Record<string, unknown>, ctx: RunContext) => Promise<RunResult>;
  /** The web secret; read per call so a rotated value applies without a redeploy of code. */
  secret: () => string | undefined;
  /** The operation changes something: a GET (a link followed, a prefetch) never runs it. */
  postOnly?: boolean;
  /** Allow web calls when no secret is configured. Only for local emulation; off by default. */
  allowNoSecret?: boolean;
  redactor?: Redactor;
  logger?: Logger;
  clock?: Clock;
  /** Time kept back from the deadline for answering. */
  reserveMs?: number;
  webLimitMs?: number;
  /** Limit for the whole function result. */
  maxResultBytes?: number;
}

export interface WebResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: JsonValue;
}

/** What a function module exports as `main`. */
export type FunctionMain = (event: unknown, context?: FunctionContext) => Promise<WebResponse>;

/** DigitalOcean Functions refuses results over 1 MB. */
export const RESULT_LIMIT_BYTES = 1_000_000;
const ALLOWED_METHODS = ['GET', 'POST'];
const DEFAULT_RESERVE_MS = 2_000;

export function createWebHandler(options: WebHandlerOptions): FunctionMain {
  const clock = options.clock ?? systemClock;
  // Declared with exactly two parameters on purpose: DigitalOcean's runtime passes the context
  // only to handlers whose arity is 2.
  return async function main(event: unknown, context?: FunctionContext): Promise<WebResponse> {
    const redactor = options.redactor ?? options.logger?.redactor ?? new Redactor();
    const logger = (
      options.logger ?? createLogger({ sink: stdoutSink, level: 'info', redactor, clock })
    ).child({ op: options.op, activation: context?.activationId });
    // A secret pushed by the operation is masked from that moment on, in log lines as in the result.
    const remember = (values: Iterable<string>) => {
      redactor.addAll(values);
      if (logger.redactor !== redactor) logger.redactor.addAll(values);
    };
    const secrets: string[] = [];
    secrets.push = (...values: string[]) => {
      remember(values);
      return Array.prototype.push.apply(secrets, values);
    };
    const started = clock.now();
    let deadline: Deadline | undefined;
    let response: { statusCode: number; body: unknown; headers?: Record<string, string> };
    try {
      // Who is calling, and how, is settled before the query and body are read: a caller without
      // the secret, or with the wrong method, costs no parsing and learns nothing from it.
      const head = requestHead(event);
      authorize(head, options, remember);
      refuseMethod(head, options);
      const request = parseEvent(event);
      refuseBody(request);
      deadline = deadlineFrom(context, {
        reserveMs: options.reserveMs ?? DEFAULT_RESERVE_MS,
        webLimitMs: request.web ? (options.webLimitMs ?? WEB_LIMIT_MS) : Number.POSITIVE_INFINITY,
        clock,
      });
      const ctx: RunContext = { deadline, secrets, headers: request.headers, logger, redactor };
      const result = await untilDeadline(options.run(request.params, ctx), deadline.signal);
      response = { statusCode: result.statusCode ?? 200, body: result.body ?? null };
    } catch (error) {
      remember(secrets);
      response = errorResponse(error, options, context, logger);
    } finally {
      deadline?.dispose();
    }
    remember(secrets);
    const shaped = shape(response, redactor, options.maxResultBytes ?? RESULT_LIMIT_BYTES, logger);
    logger.info('answered', { status: shaped.statusCode, duration_ms: clock.now() - started });
    return shaped;
  };
}

function authorize(
  request: RequestHead,
  options: WebHandlerOptions,
  remember: (values: string[]) => void,
): void {
  // A direct invocation (doctl, triggers) is already authenticated by the namespace's API key.
  if (!request.web) return;
  const expected = options.secret();
  if (expected === undefined || expected === '') {
    if (options.allowNoSecret) return;
    throw new AuthError(`The ${options.op} function has no web secret configured, so it refuses web calls.`, {
      hint: 'Deploy it with its web secret set.',
    });
  }
  remember([expected]);
  checkSecret(request.headers, expected);
}

function refuseMethod(request: RequestHead, options: WebHandlerOptions): void {
  if (!request.web) return;
  if (!allowedMethods(options).includes(request.method)) {
    throw new HttpError(405, 'input', `Method ${request.method} is not allowed.`, {
      hint: options.postOnly
        ? `${options.op} changes things, so it runs only on POST (a GET may be a prefetch or a followed link).`
        : 'Use GET or POST.',
    });
  }
}

function refuseBody(request: WebRequest): void {
  if (!request.web) return;
  if (request.body !== undefined && !isJsonContentType(request.headers['content-type'])) {
    throw new HttpError(415, 'input', 'The request body must be JSON.', {
      hint: 'Send Content-Type: application/json with a JSON object.',
    });
  }
}

/** The run's result, or a TimeoutError once the deadline passes, whichever comes first. */
function untilDeadline<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

function allowedMethods(options: WebHandlerOptions): readonly string[] {
  return options.postOnly ? ['POST'] : ALLOWED_METHODS;
}

function errorResponse(
  error: unknown,
  options: WebHandlerOptions,
  context: FunctionContext | undefined,
  logger: Logger,
): { statusCode: number; body: unknown; headers?: Record<string, string> } {
  const op = options.op;
  if (isToolError(error)) {
    logger.warn('refused', { status: error.statusCode, error });
    const headers: Record<string, string> =
      error.statusCode === 405 ? { allow: allowedMethods(options).join(', ') } : {};
    return { statusCode: error.statusCode, body: { error: error.toJSON() }, headers };
  }
  const activation = context?.activationId ?? 'unknown';
  // The details go to the function log (redacted there); the caller gets one sentence.
  logger.error('internal error', {
    error,
    stack: error instanceof Error ? error.stack : undefined,
  });
  return {
    statusCode: 500,
    body: {
      error: {
        kind: 'internal',
        message: `Internal error in ${op}; see the function log (activation ${activation}).`,
      },
    },
  };
}

function shape(
  response: { statusCode: number; body: unknown; headers?: Record<string, string> },
  redactor: Redactor,
  maxResultBytes: number,
  logger: Logger,
): WebResponse {
  const headers = { 'content-type': 'application/json', ...response.headers };
  const plain = toJsonValue(response.body) ?? null;
  const json = JSON.stringify(plain);
  const masked = redactor.redact(json);
  const body = masked === json ? plain : (parseOr(masked) ?? redactor.redactDeep(plain));
  const envelope = Buffer.byteLength(
    JSON.stringify({ statusCode: response.statusCode, headers, body: null }),
  );
  // Headroom for the platform's own wrapping of the result.
  const fitted = fitBody(body, maxResultBytes - envelope - 1024);
  if (fitted.truncated) logger.warn('result truncated', { limit_bytes: maxResultBytes, bytes: fitted.bytes });
  return { statusCode: response.statusCode, headers, body: fitted.body };
}

function parseOr(text: string): JsonValue | undefined {
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    return undefined;
  }
}
