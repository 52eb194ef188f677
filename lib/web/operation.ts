import { dirname } from 'node:path';
import { type Clock, systemClock } from '../clock.js';
import { createDeadline, type Deadline, sharedController } from '../deadline.js';
import { stdoutSink } from '../log/logger.js';
import { runOperation } from '../ops/run.js';
import type { AnyOperation } from '../ops/types.js';
import type { Deadline as InvocationDeadline } from './deadline.js';
import { createWebHandler, type FunctionMain } from './handler.js';

export interface OperationFunctionOptions {
  /** Where the bundle and its deployment.yml live (the function's own directory). */
  root: string;
  env?: Record<string, string | undefined>;
}

/**
 * The share of the invocation's time an operation leaves unused, at most WRAP_UP_MAX_MS: after its
 * own deadline it still has calls in flight to finish, its lock to release and its result to
 * return. The handler answers 504 at the invocation's deadline without waiting for it, and an
 * operation cut off there keeps its deployment locked until the lock expires.
 */
export const WRAP_UP_SHARE = 0.2;
export const WRAP_UP_MAX_MS = 5_000;

/**
 * A DigitalOcean Function for one operation: the web adapter around the same `runOperation` the
 * CLI uses, with the function's environment (its `init` parameters) and a deadline that ends
 * before the invocation's, so a long operation answers `in_progress` in time.
 */
export function operationFunction(operation: AnyOperation, options: OperationFunctionOptions): FunctionMain {
  const env = options.env ?? process.env;
  return createWebHandler({
    op: operation.name,
    // exec changes nothing through the API, but runs whatever command it is given.
    postOnly: operation.mutating || operation.name === 'exec',
    secret: () => env.OPS_WEB_SECRET,
    run: async (params, ctx) => {
      const report = await runOperation(operation, params, {
        envSource: env,
        cwd: options.root,
        clock: systemClock,
        random: Math.random,
        logSink: stdoutSink,
        deadline: operationDeadline(ctx.deadline, systemClock),
        hardDeadline: ctx.deadline,
        extraSecrets: ctx.secrets,
      });
      return { statusCode: 200, body: report };
    },
  });
}

/** The operation's deadline: the invocation's, less a wrap-up share; aborted with it too. */
export function operationDeadline(invocation: InvocationDeadline, clock: Clock): Deadline {
  const remaining = invocation.remainingMs();
  if (!Number.isFinite(remaining)) return invocation;
  const deadline = createDeadline(clock, remaining - Math.min(WRAP_UP_MAX_MS, remaining * WRAP_UP_SHARE));
  const controller = sharedController();
  const abort = (reason: unknown) => {
    if (!controller.signal.aborted) controller.abort(reason);
  };
  for (const signal of [deadline.signal, invocation.signal]) {
    if (signal.aborted) abort(signal.reason);
    else signal.addEventListener('abort', () => abort(signal.reason), { once: true });
  }
  return { remainingMs: deadline.remainingMs, expired: deadline.expired, signal: controller.signal };
}

/** The directory of a bundled function file (CommonJS `__dirname` or an ESM `import.meta.url`). */
export function functionRoot(file: string): string {
  return dirname(file.startsWith('file:') ? new URL(file).pathname : file);
}
