/**
 * What the bootstrap and remote commands get from their process, passed in so tests run them
 * in-process with captured output and a chosen environment.
 */
import { type Clock, type Random, systemClock } from '../../lib/clock.js';
import { readEnvironment } from '../../lib/config/env.js';
import { isToolError } from '../../lib/errors.js';
import type { Terminal } from '../cli/output.js';
import { renderError } from '../cli/output.js';

export interface CliIo {
  stdout: Terminal;
  stderr: Terminal;
  /** .env merged with the process environment. */
  source: Readonly<Record<string, string | undefined>>;
  cwd: string;
  clock: Clock;
  random: Random;
}

/** This process's: its streams, .env with its environment, its directory and the system clock. */
export function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    source: readEnvironment({ cwd: process.cwd(), processEnv: process.env }),
    cwd: process.cwd(),
    clock: systemClock,
    random: Math.random,
  };
}

/** The one top-level catch: a sentence (or one JSON document), and the error's exit code. */
export function failWith(io: CliIo, error: unknown, options: { json: boolean; debug: boolean }): number {
  if (options.json) {
    const body = isToolError(error)
      ? error.toJSON()
      : { kind: 'internal', message: error instanceof Error ? error.message : String(error) };
    io.stdout.write(`${JSON.stringify({ error: body }, null, 2)}\n`);
  }
  io.stderr.write(renderError(error, options.debug));
  return isToolError(error) ? error.exitCode : 1;
}
