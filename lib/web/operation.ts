import { dirname } from 'node:path';
import { systemClock } from '../clock.js';
import { stdoutSink } from '../log/logger.js';
import { runOperation } from '../ops/run.js';
import type { AnyOperation } from '../ops/types.js';
import { createWebHandler, type FunctionMain } from './handler.js';

export interface OperationFunctionOptions {
  /** Where the bundle and its deployment.yml live (the function's own directory). */
  root: string;
  env?: Record<string, string | undefined>;
}

/**
 * A DigitalOcean Function for one operation: the web adapter around the same `runOperation` the
 * CLI uses, with the function's environment (its `init` parameters) and its deadline.
 */
export function operationFunction(operation: AnyOperation, options: OperationFunctionOptions): FunctionMain {
  const env = options.env ?? process.env;
  return createWebHandler({
    op: operation.name,
    secret: () => env.OPS_WEB_SECRET,
    run: async (params, ctx) => {
      const report = await runOperation(operation, params, {
        envSource: env,
        cwd: options.root,
        clock: systemClock,
        random: Math.random,
        logSink: stdoutSink,
        deadline: ctx.deadline,
        extraSecrets: ctx.secrets,
      });
      return { statusCode: 200, body: report };
    },
  });
}

/** The directory of a bundled function file (CommonJS `__dirname` or an ESM `import.meta.url`). */
export function functionRoot(file: string): string {
  return dirname(file.startsWith('file:') ? new URL(file).pathname : file);
}
