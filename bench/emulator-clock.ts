/**
 * The tool's clock set to the emulator's virtual time. At time scale 1 it is the wall clock; at a
 * faster scale the tool's polling, retry pauses and rate-limit windows run at the same pace as the
 * droplet boots, builds and rate-limit windows they wait on, so every figure is in virtual time
 * (what it would take against DigitalOcean) and ratios do not depend on the scale chosen.
 */
import type { Clock } from '../lib/clock.js';

/** What the clock reads: the emulator's own clock (EmuClock), whose scale may change mid-run. */
export interface VirtualTime {
  now(): number;
  readonly timeScale: number;
}

export function emulatorClock(time: VirtualTime): Clock {
  return {
    now: () => time.now(),
    sleep: (ms, signal) =>
      new Promise<void>((resolve, reject) => {
        if (signal?.aborted) {
          reject(signal.reason);
          return;
        }
        const target = time.now() + Math.max(0, ms);
        let timer: ReturnType<typeof setTimeout> | undefined;
        const onAbort = () => {
          clearTimeout(timer);
          reject(signal?.reason);
        };
        // Timers fire a little early or late, and the scale may change while we sleep: wake, then
        // sleep again for whatever virtual time is still left.
        const check = () => {
          const left = target - time.now();
          if (left > 0) {
            timer = setTimeout(check, Math.max(1, Math.ceil(left / time.timeScale)));
            return;
          }
          signal?.removeEventListener('abort', onAbort);
          resolve();
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        check();
      }),
  };
}
