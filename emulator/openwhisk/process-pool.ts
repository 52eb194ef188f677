import type { ChildProcess } from 'node:child_process';

/** The action processes alive right now, so a reset or the emulator's stop can end them all. */
export class ProcessPool {
  private readonly running = new Set<ChildProcess>();
  private closed = false;

  /** Tracks a new process; once the pool is closed (the emulator stopping) it is killed at once. */
  track(child: ChildProcess): void {
    if (this.closed) {
      child.kill('SIGKILL');
      return;
    }
    this.running.add(child);
    child.once('close', () => this.running.delete(child));
  }

  get size(): number {
    return this.running.size;
  }

  pids(): number[] {
    return [...this.running].flatMap((child) => (child.pid === undefined ? [] : [child.pid]));
  }

  /** Kills every process, now and any started later (an invocation still setting up as the emulator stops). */
  close(): Promise<void> {
    this.closed = true;
    return this.killAll();
  }

  /** Kills every tracked process and waits until each has closed. */
  async killAll(): Promise<void> {
    const closing = [...this.running].map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('close', () => resolve());
          child.kill('SIGKILL');
        }),
    );
    await Promise.all(closing);
  }
}
