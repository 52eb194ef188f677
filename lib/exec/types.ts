import type { Clock, Random } from '../clock.js';
import type { Redactor } from '../log/redact.js';

/** What one command run produced, whatever the transport. */
export interface CommandResult {
  stdout: string;
  /** null where the transport merges stderr into stdout (the App Platform console is a terminal). */
  stderr: string | null;
  /** null when a signal ended the command. */
  exitCode: number | null;
  /** The signal name without `SIG` (`KILL`, `TERM`), when one ended the command. */
  signal?: string;
  durationMs: number;
  /** True when a stream went over the output cap; the text then ends with a truncation mark. */
  truncated: boolean;
  /** The SSH host key seen (`SHA256:…`), for trust on first use. */
  hostFingerprint?: string;
}

/** The bounds and the injected world every runner takes. */
export interface RunBounds {
  /** Everything (connecting, retries while a droplet boots, the command) must end within this. */
  timeoutMs: number;
  /** Kept per stream (SSH) or for the merged output (console); the rest is counted, not kept. */
  maxOutputBytes: number;
  clock: Clock;
  random: Random;
  /** The operation's deadline: aborting it stops the run like a timeout. */
  signal?: AbortSignal;
  /** Secrets the run handles (private key, console URL token) are registered here before use. */
  redactor?: Redactor;
}
