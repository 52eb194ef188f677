import type { Clock } from '../../lib/clock.js';

/** A clock that moves only when the test says so; sleeps resolve as time is advanced past them. */
export class ManualClock implements Clock {
  private current: number;
  private readonly timers = new Set<{ at: number; resolve: () => void }>();

  constructor(start = Date.parse('2025-01-02T03:04:05.000Z')) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<void>((resolve, reject) => {
      const timer = {
        at: this.current + Math.max(0, ms),
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        this.timers.delete(timer);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.timers.add(timer);
    });
  }

  /** Moves time forward and lets every sleep that is now due finish. */
  async advance(ms: number): Promise<void> {
    this.current += ms;
    for (const timer of [...this.timers]) {
      if (timer.at <= this.current) {
        this.timers.delete(timer);
        timer.resolve();
      }
    }
    await new Promise((resolve) => setImmediate(resolve));
  }

  get pending(): number {
    return this.timers.size;
  }
}
