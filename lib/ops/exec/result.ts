import type { ToolError } from '../../errors.js';
import { ExecTimeoutError } from '../../exec/errors.js';
import type { CommandResult } from '../../exec/types.js';

/** One target's outcome, as the exec result reports it. */
export interface TargetResult {
  /** The droplet name, or `app/<component>[/<instance>]`. */
  target: string;
  stdout: string;
  /** null where the transport merges stderr into stdout (App Platform console). */
  stderr: string | null;
  /** null when the command did not end by itself (a signal, a timeout, or it never ran). */
  exit_code: number | null;
  signal?: string;
  duration_ms: number;
  /** True when output went over max_output_bytes; the text then ends with a truncation mark. */
  truncated: boolean;
  /** The command was stopped at its timeout (or the call's deadline); stdout and stderr hold what it printed first. */
  timed_out?: true;
  /** The SSH host key the droplet presented (trust on first use: pin it with DO_SSH_HOST_FINGERPRINT). */
  host_fingerprint?: string;
  /** Why there is no exit code, or what a telling one means (127: command not found). */
  error?: string;
}

export interface ExecResult {
  dry_run: boolean;
  /** Every target the command ran (or, in a dry run, would run) on. */
  targets: string[];
  /** One per target, in the order of `targets`; empty in a dry run. */
  results: TargetResult[];
}

/** The shell's exit status when it cannot find the command (POSIX). */
export const COMMAND_NOT_FOUND = 127;

/** Pure: a command's result as the exec result reports it (the flatten step). */
export function toTargetResult(target: string, run: CommandResult): TargetResult {
  return {
    target,
    stdout: run.stdout,
    stderr: run.stderr,
    exit_code: run.exitCode,
    ...(run.signal === undefined ? {} : { signal: run.signal }),
    duration_ms: run.durationMs,
    truncated: run.truncated,
    ...(run.hostFingerprint ? { host_fingerprint: run.hostFingerprint } : {}),
    ...(run.exitCode === COMMAND_NOT_FOUND
      ? {
          error:
            'command not found (exit code 127): check its spelling and that it is installed on the target',
        }
      : {}),
  };
}

/** Pure: a target that could not run the command (or was stopped), with whatever output it gave first. */
export function failedTargetResult(target: string, error: ToolError, durationMs: number): TargetResult {
  const timedOut = error instanceof ExecTimeoutError;
  const partial = timedOut ? error.partial : undefined;
  return {
    target,
    stdout: partial?.stdout ?? '',
    stderr: partial ? partial.stderr : null,
    exit_code: null,
    duration_ms: durationMs,
    truncated: partial?.truncated ?? false,
    ...(timedOut ? { timed_out: true as const } : {}),
    error: error.describe(),
  };
}

/** Succeeded only when every target ran its command to exit code 0. */
export function isSuccess(results: readonly TargetResult[]): boolean {
  return results.length > 0 && results.every((r) => r.exit_code === 0 && r.error === undefined);
}
