/**
 * One error family for the whole tool. Every entry point (function, CLI) has one top-level catch
 * that turns a ToolError into an exit code, an HTTP status and one clear sentence.
 * Anything that is not a ToolError is an internal fault and is reported without its stack.
 */

export interface Problem {
  /** Where the problem is, e.g. `DIGITALOCEAN_TOKEN` or `droplets.count`. */
  path: string;
  message: string;
}

export type ErrorKind = 'config' | 'input' | 'auth' | 'api' | 'conflict' | 'timeout' | 'operation';

export interface ToolErrorOptions {
  /** What the user can do about it. */
  hint?: string;
  cause?: unknown;
}

export abstract class ToolError extends Error {
  abstract readonly kind: ErrorKind;
  /** Process exit code: 2 for bad input or configuration, 1 for a failed operation. */
  abstract readonly exitCode: 1 | 2;
  /** HTTP status for web functions. */
  abstract readonly statusCode: number;
  readonly hint: string | undefined;

  constructor(message: string, options: ToolErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.hint = options.hint;
  }

  /** The sentence a user sees: what failed, why, and what to do. */
  describe(): string {
    return this.hint ? `${this.message} ${this.hint}` : this.message;
  }

  toJSON(): Record<string, unknown> {
    return { kind: this.kind, message: this.message, ...(this.hint ? { hint: this.hint } : {}) };
  }
}

function listProblems(problems: readonly Problem[]): string {
  return problems.map((p) => `${p.path}: ${p.message}`).join('; ');
}

/** An error made of problems, each naming where it is: listed at once, all in one sentence. */
abstract class ProblemsError extends ToolError {
  readonly exitCode = 2;
  readonly statusCode = 400;
  readonly problems: readonly Problem[];

  constructor(subject: string, problems: readonly Problem[], options: ToolErrorOptions = {}) {
    super(`${subject} is invalid: ${listProblems(problems)}.`, options);
    this.problems = problems;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), problems: this.problems };
  }
}

/** The environment (.env, process environment) is missing something or malformed. */
export class ConfigError extends ProblemsError {
  readonly kind = 'config';
}

/** An operation's input (CLI flags, function params, manifest) is invalid. */
export class InputError extends ProblemsError {
  readonly kind = 'input';
}

/** A web call without the right secret. */
export class AuthError extends ToolError {
  readonly kind = 'auth';
  readonly exitCode = 2;
  readonly statusCode = 401;
}

/** Another operation holds the deployment, or a name is taken by something we do not own. */
export class ConflictError extends ToolError {
  readonly kind = 'conflict';
  readonly exitCode = 1;
  readonly statusCode = 409;
}

/** A bounded wait ran out. */
export class TimeoutError extends ToolError {
  readonly kind = 'timeout';
  readonly exitCode = 1;
  readonly statusCode = 504;
}

/** The operation ran and failed (a deployment failed, verification failed, …). */
export class OperationError extends ToolError {
  readonly kind = 'operation';
  readonly exitCode = 1;
  readonly statusCode = 500;
}

export function isToolError(error: unknown): error is ToolError {
  return error instanceof ToolError;
}

/** The host asked the operation to stop (Ctrl-C, SIGTERM, a broken pipe): a change it had not started yet. */
export class InterruptedError extends OperationError {}
