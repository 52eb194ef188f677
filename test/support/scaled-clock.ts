/**
 * A Clock whose time runs `scale` times faster than real time, for tests that talk to real
 * servers: a 2-second retry-after takes 20 ms at scale 100, and timeouts still work because
 * time keeps moving while requests are in flight.
 */
import type { Clock, Random } from '../../lib/clock.js';

export interface TestClock extends Clock {
  readonly scale: number;
  /** Every sleep that ran to its end (aborted ones, such as request timeouts, are left out). */
  readonly waited: number[];
}

export function createScaledClock(scale = 100, start = Date.now()): TestClock {
  const realStart = performance.now();
  const waited: number[] = [];
  return {
    scale,
    waited,
    now: () => start + (performance.now() - realStart) * scale,
    sleep(ms, signal) {
      const target = this.now() + ms;
      return new Promise<void>((resolve, reject) => {
        let timer: ReturnType<typeof setTimeout> | undefined;
        const onAbort = () => {
          clearTimeout(timer);
          reject(signal?.reason);
        };
        // Timers may fire a little early; waking only once the clock has passed the target
        // makes a recorded wait mean exactly what the caller asked for.
        const check = () => {
          const left = target - this.now();
          if (left > 0) {
            timer = setTimeout(check, Math.ceil(left / scale));
            return;
          }
          signal?.removeEventListener('abort', onAbort);
          waited.push(ms);
          resolve();
        };
        if (signal?.aborted) {
          reject(signal.reason);
          return;
        }
        signal?.addEventListener('abort', onAbort, { once: true });
        check();
      });
    },
  };
}

/** Always the same value: backoff with full jitter becomes exactly `value` × its ceiling. */
export function fixedRandom(value = 0.5): Random {
  return () => value;
}

/** An HTTP `date` header for the test clock's time, so servers and clients agree on "now". */
export function httpDate(clock: Clock): string {
  return new Date(clock.now()).toUTCString();
}
