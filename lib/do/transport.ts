/**
 * The one seam every DigitalOcean HTTP request goes through: https only, our CA trust, a timeout
 * per attempt, retries that never repeat a request the server may have acted on, the shared
 * rate-limit budget, and a record of every attempt.
 */
import type { Clock, Random } from '../clock.js';
import { ConfigError } from '../errors.js';
import type { ApiCallEntry, ApiCallLog } from './call-log.js';
import type { HttpEngine } from './engine.js';
import { BudgetExhausted, RateBudget } from './rate-budget.js';
import { numberHeader } from './rate-window.js';
import {
  AnswerRefused,
  answerProblem,
  MAX_HTTPS_BODY_BYTES,
  pageBeyondBound,
  readCapped,
} from './response-guard.js';
import { TransportAnnotation, TransportError } from './transport-error.js';
import { describeFailure, type Failure, jsonErrorBody, rebuildResponse } from './transport-parts.js';

export type FetchFunction = (url: string | URL, init?: RequestInit) => Promise<Response>;

export interface TransportOptions {
  clock: Clock;
  random: Random;
  /** From createEngine: carries the CA trust and the connection pool. */
  engine: HttpEngine;
  calls: ApiCallLog;
  /** The token's budget, shared by every client of it (shared-budget.ts); a fresh one (250/min) when absent. */
  budget?: RateBudget;
  /** Attempts per request, first one included; 429 answers are not counted. Default 4. */
  maxAttempts?: number;
  /**
   * How long one request may be held back by the rate limit in all (pacing, 429 pauses). Default
   * 2 min: a 429 means nothing was done, so it is retried for as long as this allows, any method.
   */
  rateLimitWaitMs?: number;
  /**
   * The caller's deadline: no request is held back, waited for or retried past the time left before
   * it, plus a short grace (so a call made while wrapping up, e.g. releasing a lock, can finish).
   */
  deadline?: { remainingMs(): number };
  /** Per attempt, until the whole body has arrived, and never past the deadline's grace. Default 30 s. */
  requestTimeoutMs?: number;
  /** See DEFAULT_DEADLINE_ATTEMPT_GRACE_MS. */
  deadlineAttemptGraceMs?: number;
  /**
   * The host's own cut (a web call's 30 s, less the time to answer): no request runs, waits or is
   * retried past it, the grace and wrapping up included, since past it nobody receives the answer.
   */
  hardDeadline?: { remainingMs(): number };
  /** Bodies larger than this are refused while they stream in. Default MAX_HTTPS_BODY_BYTES. */
  maxBodyBytes?: number;
  /**
   * Check that successful answers could be DigitalOcean's (JSON objects, lists within their page
   * size, pages within any account's lists; response-guard.ts) before anything believes them.
   */
  apiAnswers?: boolean;
  /** Backoff before retry n is random in [0, min(max, base·2^(n-1))). Defaults 500 ms and 20 s. */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /**
   * Rewrite error responses whose body is not JSON (a proxy's HTML page, an empty 503) as
   * DigitalOcean-style `{id, message}` JSON: dots cannot parse them and would lose the status.
   */
  jsonErrorBodies?: boolean;
  /** Names the URLs this transport is for in the https-only refusal. */
  urlRole?: UrlRole;
}

/**
 * How long a request may still be held back once the deadline is near or past: an operation
 * wrapping up (releasing its lock) must not fail on a pacing gap or a one-second retry-after.
 */
const deadlineGraceMs = 2_000;

/**
 * How long past the deadline (or past its own start, for one made after it) a request may still
 * run, retries included. Operations keep working a little after their deadline by design: they
 * read where things stand to answer `in_progress`, pause or release their lock. A healthy API
 * answers any one of those calls well within this; a server that accepted the connection and
 * hung is cut off here instead of after every attempt's 30 s.
 */
export const DEFAULT_DEADLINE_ATTEMPT_GRACE_MS = 10_000;

const idempotentMethods = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']);

export function isIdempotent(method: string): boolean {
  return idempotentMethods.has(method.toUpperCase());
}

export interface UrlRole {
  /** Names the URL's purpose in the refusal, e.g. `The DigitalOcean API URL`. */
  subject: string;
  /** Where it came from, e.g. `DIGITALOCEAN_API_URL`. */
  path: string;
}

const requestUrl: UrlRole = { subject: 'The request URL', path: 'url' };

/** Refuses anything but https before a byte is sent: the token must never cross the wire in clear. */
export function requireHttps(url: URL, role: UrlRole = requestUrl): void {
  if (url.protocol === 'https:') return;
  throw new ConfigError(
    role.subject,
    [{ path: role.path, message: `https is required, got ${url.protocol}//${url.host}` }],
    {
      hint: 'Use an https:// URL.',
    },
  );
}

class AttemptTimeout extends Error {
  constructor(
    readonly ms: number,
    /** Cut by the deadline rather than by the per-attempt timeout. */
    readonly byDeadline: boolean,
  ) {
    super('attempt timed out');
  }
}

function isStream(body: unknown): boolean {
  return (
    typeof body === 'object' && body !== null && typeof (body as ReadableStream).getReader === 'function'
  );
}

export function createTransport(options: TransportOptions): FetchFunction {
  const { clock, random, engine, calls } = options;
  const budget = options.budget ?? new RateBudget({ clock });
  const maxAttempts = Math.max(1, options.maxAttempts ?? 4);
  const rateLimitWaitMs = options.rateLimitWaitMs ?? 120_000;
  const timeoutMs = options.requestTimeoutMs ?? 30_000;
  const baseMs = options.backoffBaseMs ?? 500;
  const maxMs = options.backoffMaxMs ?? 20_000;
  const maxBodyBytes = options.maxBodyBytes ?? MAX_HTTPS_BODY_BYTES;
  const backoff = (attempt: number) => random() * Math.min(maxMs, baseMs * 2 ** (attempt - 1));
  const timeLeft = () => Math.max(0, options.deadline?.remainingMs() ?? Number.POSITIVE_INFINITY);
  const hardLeft = () => Math.max(0, options.hardDeadline?.remainingMs() ?? Number.POSITIVE_INFINITY);

  const attemptGraceMs = options.deadlineAttemptGraceMs ?? DEFAULT_DEADLINE_ATTEMPT_GRACE_MS;

  /** How long the next attempt may take: its own timeout, or what is left before the request's end. */
  function attemptLimit(endBy: number): { ms: number; byDeadline: boolean } {
    const left = Math.max(0, endBy - clock.now());
    return left < timeoutMs ? { ms: left, byDeadline: true } : { ms: timeoutMs, byDeadline: false };
  }

  async function attemptOnce(url: URL, method: string, init: RequestInit, endBy: number): Promise<Response> {
    const abort = new AbortController();
    const stopTimer = new AbortController();
    const caller = init.signal ?? undefined;
    const onCallerAbort = () => abort.abort(caller?.reason);
    caller?.addEventListener('abort', onCallerAbort, { once: true });
    const limit = attemptLimit(endBy);
    // The whole attempt (connect, TLS handshake, headers, every byte of the body) runs under this one
    // timer: a server that accepts and then stalls, or drips, is cut off at it.
    clock.sleep(limit.ms, stopTimer.signal).then(
      () => abort.abort(new AttemptTimeout(limit.ms, limit.byDeadline)),
      () => undefined,
    );
    try {
      const response = await engine.fetch(url, { ...init, method, signal: abort.signal, redirect: 'manual' });
      const body = await readCapped(response, maxBodyBytes);
      if (options.apiAnswers && response.status >= 200 && response.status < 300) {
        const problem = answerProblem(url, body);
        if (problem) throw new AnswerRefused(problem);
      }
      if (options.jsonErrorBodies && response.status >= 400) {
        const replaced = jsonErrorBody(response.status, response.statusText, response.headers, body);
        if (replaced) return rebuildResponse(response, replaced.body, replaced.headers);
      }
      return rebuildResponse(response, body);
    } catch (error) {
      if (abort.signal.reason instanceof AttemptTimeout) throw abort.signal.reason;
      throw error;
    } finally {
      stopTimer.abort();
      caller?.removeEventListener('abort', onCallerAbort);
    }
  }

  function failureOf(error: unknown, call: string): Failure {
    if (error instanceof AttemptTimeout) {
      const when = error.byDeadline
        ? "before the operation's time limit ran out"
        : `within ${Math.round(error.ms / 100) / 10} s`;
      return { reason: 'timeout', unsent: false, text: `${call} had no complete answer ${when}` };
    }
    if (error instanceof AnswerRefused) {
      return {
        reason: 'response',
        unsent: false,
        text: `the answer to ${call} was refused: ${error.message}`,
      };
    }
    return describeFailure(error);
  }

  return async function transportFetch(input, init = {}) {
    const url = new URL(String(input));
    requireHttps(url, options.urlRole);
    const method = (init.method ?? 'GET').toUpperCase();
    const path = `${url.pathname}${url.search}`;
    const idempotent = isIdempotent(method);
    const call = `${method} ${path}`;
    if (options.apiAnswers) {
      const beyond = pageBeyondBound(url);
      if (beyond) {
        throw new TransportError(`${call} was not sent: ${beyond}`, {
          reason: 'response',
          method,
          path,
          attempts: 0,
          ambiguous: false,
        });
      }
    }
    const caller = init.signal ?? undefined;
    const replayable = !isStream(init.body);
    const firstStart = clock.now();
    // The latest this request may still be running: the grace past the deadline, or past now when
    // the deadline has already gone (the call is part of wrapping up).
    const endBy = firstStart + Math.min(timeLeft() + attemptGraceMs, hardLeft());
    const waitLimit = () =>
      Math.min(
        firstStart + rateLimitWaitMs,
        clock.now() + (options.deadline?.remainingMs() ?? Infinity) + deadlineGraceMs,
        clock.now() + hardLeft(),
      );
    // Attempts that count toward maxAttempts: a 429 is not a failure of the request, only a wait.
    let counted = 0;

    for (let attempt = 1; ; attempt += 1) {
      const ticket = await budget.acquire(caller, waitLimit()).catch((error: unknown) => {
        if (!(error instanceof BudgetExhausted)) throw error;
        throw new TransportError(
          error.message,
          { reason: 'rate-limit', method, path, attempts: attempt - 1, ambiguous: false },
          { cause: error },
        );
      });
      const startedAt = clock.now();
      counted += 1;
      const canRetry = replayable && counted < maxAttempts;
      const entry = (status: number, extra: Partial<ApiCallEntry>): ApiCallEntry => ({
        method,
        path,
        status,
        durationMs: clock.now() - startedAt,
        attempt,
        retried: attempt > 1,
        startedAt,
        ...extra,
      });

      let response: Response;
      try {
        response = await attemptOnce(url, method, init, endBy);
      } catch (error) {
        ticket.failed();
        if (caller?.aborted && error === caller.reason) {
          calls.record(entry(0, { error: 'aborted' }));
          throw error;
        }
        const failure = failureOf(error, call);
        calls.record(entry(0, { error: failure.code ?? failure.reason }));
        // Nothing reached the server if the connection never opened: safe to repeat any method. A
        // refused answer would come again; a retry whose back-off would outlast the deadline is moot.
        const retryable =
          failure.reason !== 'tls' && failure.reason !== 'response' && (idempotent || failure.unsent);
        const pause = backoff(counted);
        if (retryable && canRetry && clock.now() + pause < endBy) {
          await clock.sleep(pause, caller);
          continue;
        }
        throw new TransportError(
          failure.text,
          {
            reason: failure.reason,
            method,
            path,
            attempts: attempt,
            // A refused answer is an answer: a POST that got one was received and may have acted.
            ambiguous: !idempotent && !failure.unsent && failure.reason !== 'tls',
            ...(failure.code ? { code: failure.code } : {}),
          },
          { cause: error },
        );
      }

      // Recorded before the ticket is handed back: the request it releases starts after this one ended.
      const requestId = response.headers.get('x-request-id');
      calls.record(entry(response.status, requestId ? { requestId } : {}));
      const pause = ticket.answered(response.status, response.headers);
      if (response.status === 429) {
        // A 429 means the request was not processed: repeating it is safe whatever the method.
        counted -= 1;
        if (replayable && clock.now() + pause <= waitLimit()) continue;
      } else if (response.status >= 500 && idempotent && canRetry) {
        const retryAfterMs = (numberHeader(response.headers, 'retry-after') ?? 0) * 1000;
        const pause = Math.max(backoff(counted), retryAfterMs);
        if (clock.now() + pause < endBy && clock.now() + pause <= waitLimit()) {
          await clock.sleep(pause, caller);
          continue;
        }
      }
      response.headers.set(TransportAnnotation.attempts, String(attempt));
      if (response.status >= 500 && !idempotent) response.headers.set(TransportAnnotation.ambiguous, 'true');
      return response;
    }
  };
}
