import { spawn } from 'node:child_process';
import type { Writable } from 'node:stream';
import { spawnIdentity } from './sandbox-user.js';

export interface RunOptions {
  /** A command line for `sh -c`, or undefined for an interactive shell reading stdin. */
  command: string | undefined;
  cwd: string;
  env: Record<string, string>;
  /** Real milliseconds before the whole process group is killed. */
  timeoutMs: number;
  onStdout(chunk: Buffer): void;
  onStderr(chunk: Buffer): void;
}

export interface RunResult {
  /** The exit status, or null when a signal ended the command. */
  code: number | null;
  /** The signal name without `SIG` (`KILL`, `TERM`), or null. */
  signal: string | null;
  timedOut: boolean;
}

export interface Running {
  stdin: Writable;
  done: Promise<RunResult>;
  /** Ends the command (the client went away, the droplet powered off or was deleted). */
  kill(): void;
}

/**
 * Runs a command the way sshd does, through the shell, in its own process group so a timeout or a
 * disconnect also ends what it started. Output is streamed as it comes.
 */
export function runCommand(options: RunOptions): Running {
  const args = options.command === undefined ? ['-i'] : ['-c', options.command];
  const child = spawn('/bin/sh', args, {
    cwd: options.cwd,
    env: options.env,
    detached: true,
    stdio: ['pipe', 'pipe', 'pipe'],
    // Not the emulator's own user where it can switch (./sandbox-user.ts).
    ...spawnIdentity(),
  });
  let timedOut = false;
  const killGroup = () => {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      child.kill('SIGKILL');
    }
  };
  const timer = setTimeout(() => {
    timedOut = true;
    killGroup();
  }, options.timeoutMs);
  timer.unref();

  child.stdout.on('data', (chunk: Buffer) => options.onStdout(chunk));
  child.stderr.on('data', (chunk: Buffer) => options.onStderr(chunk));
  // The command may exit without reading its input; writes after that are not an error here.
  child.stdin.on('error', () => undefined);

  const done = new Promise<RunResult>((resolve) => {
    child.once('error', (error) => {
      clearTimeout(timer);
      options.onStderr(Buffer.from(`sh: ${error.message}\n`));
      resolve({ code: 127, signal: null, timedOut: false });
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        code: signal ? null : (code ?? 0),
        signal: signal ? signal.replace(/^SIG/, '') : null,
        timedOut,
      });
    });
  });
  return { stdin: child.stdin, done, kill: killGroup };
}
