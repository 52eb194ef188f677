/**
 * How DigitalOcean Functions (OpenWhisk) records an activation: a result object with an `error`
 * field is an application error, any other result a success, whatever HTTP status the result
 * carries for web callers (apache/openwhisk ActivationResult.scala, processRunResponseContent). A
 * scheduled maintain refused or failed was therefore recorded as a success. For invocations that
 * are not web requests (a trigger, `doctl serverless functions invoke`), an answer that refuses or
 * fails also carries `error`, so the activation is recorded as failed; web callers see no change.
 */
import { requestHead } from '../web/event.js';
import type { FunctionContext, FunctionMain, WebResponse } from '../web/handler.js';

export interface ActivationResult extends WebResponse {
  /** Present only on a failed non-web invocation: what OpenWhisk records as the application error. */
  error?: { kind: string; message: string; hint?: string };
}

/** Pure: the error a non-web answer should carry, or undefined when it did not fail. */
export function activationError(response: WebResponse): ActivationResult['error'] {
  const body = (response.body ?? {}) as {
    error?: { kind?: unknown; message?: unknown; hint?: unknown };
    status?: unknown;
    op?: unknown;
    deployment?: unknown;
    result?: { failure?: { kind?: unknown; detail?: unknown } };
  };
  if (response.statusCode >= 400) {
    const error = body.error;
    return {
      kind: typeof error?.kind === 'string' ? error.kind : 'internal',
      message:
        typeof error?.message === 'string' ? error.message : `The function answered ${response.statusCode}.`,
      ...(typeof error?.hint === 'string' ? { hint: error.hint } : {}),
    };
  }
  if (body.status !== 'failed') return undefined;
  const failure = body.result?.failure;
  const subject = [body.op, body.deployment].filter((p) => typeof p === 'string').join(' ');
  return {
    kind: typeof failure?.kind === 'string' ? failure.kind : 'operation',
    message: `${subject || 'The operation'} failed${typeof failure?.detail === 'string' ? `: ${failure.detail}` : '.'}`,
  };
}

/** From the request's head only: a web request refused for its query or body is still one. */
function isWeb(event: unknown): boolean {
  return requestHead(event).web;
}

/** `main`, answering a failed non-web invocation with `error` too, so it is recorded as failed. */
export function failingActivations(
  main: FunctionMain,
): (event: unknown, context?: FunctionContext) => Promise<ActivationResult> {
  return async (event, context) => {
    const response = await main(event, context);
    if (isWeb(event)) return response;
    const error = activationError(response);
    return error === undefined ? response : { ...response, error };
  };
}
