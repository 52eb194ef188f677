/**
 * Why a command could not run, or did not finish, as one ToolError sentence each. The reason is
 * kept as data too, so the exec operation (and tests) can tell them apart without parsing text.
 */
import { OperationError, TimeoutError, type ToolErrorOptions } from '../errors.js';

export type ExecFailureReason =
  | 'unknown-host'
  | 'auth-refused'
  | 'host-key-mismatch'
  | 'connection-refused'
  | 'disconnected'
  | 'protocol';

export class ExecError extends OperationError {
  readonly reason: ExecFailureReason;

  constructor(reason: ExecFailureReason, message: string, options: ToolErrorOptions = {}) {
    super(message, options);
    this.reason = reason;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), reason: this.reason };
  }
}

/** Output the command printed before it was stopped. */
export interface PartialOutput {
  stdout: string;
  stderr: string | null;
  truncated: boolean;
}

/** The command (or reaching the target) took longer than the timeout; the command was stopped. */
export class ExecTimeoutError extends TimeoutError {
  readonly reason = 'timeout';
  readonly partial: PartialOutput | undefined;

  constructor(message: string, partial?: PartialOutput, options: ToolErrorOptions = {}) {
    super(message, options);
    this.partial = partial;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), reason: this.reason };
  }
}

/** `1500` → `1.5 s`, `60000` → `60 s`: durations in sentences. */
export function seconds(ms: number): string {
  const s = ms / 1000;
  return `${Number.isInteger(s) ? s : s.toFixed(1)} s`;
}
