/**
 * An operation in a child process, exactly as a user runs it (`npm run invoke -- <op> … --json`),
 * against the emulator this test process owns; killed with SIGKILL at a chosen moment.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { ROOT } from '../support/op-context.js';

export interface Child {
  process: ChildProcess;
  /** Resolves with the exit code (null when killed) once the child has gone. */
  exited: Promise<number | null>;
  /** stdout and stderr together, in order. */
  output(): string;
  stdout(): string;
}

/** `--image-tag 1.4.2` style flags from an input object. */
export function flags(input: Record<string, unknown>): string[] {
  return Object.entries(input).flatMap(([key, value]) => [`--${key.replaceAll('_', '-')}`, String(value)]);
}

export function spawnInvoke(args: readonly string[], env: Record<string, string>): Child {
  // node itself runs the CLI (no npx or tsx wrapper process), so the pid killed is the operation's.
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/invoke.ts', ...args, '--json'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  let stdout = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    text += chunk.toString('utf8');
    stdout += chunk.toString('utf8');
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    text += chunk.toString('utf8');
  });
  // 'close', not 'exit': only then has all of the child's output been read.
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { process: child, exited, output: () => text, stdout: () => stdout };
}
