/**
 * DigitalOcean's per-namespace invocation limits, enforced the way OpenWhisk's controller does
 * (429 with its messages): at most 120 activations running at once, and 600 invocations in any
 * minute of (virtual) time.
 */
import type { EmuClock } from '../core/clock.js';
import { OwError } from './errors.js';

export const MAX_CONCURRENT = 120;
export const MAX_PER_MINUTE = 600;
const MINUTE_MS = 60_000;

export class Admission {
  private readonly running = new Map<string, number>();
  private readonly recent = new Map<string, number[]>();

  constructor(private readonly clock: EmuClock) {}

  /** Counts one invocation in the namespace, or throws 429 when a limit is reached. */
  admit(namespace: string): void {
    const now = this.clock.now();
    const window = (this.recent.get(namespace) ?? []).filter((at) => now - at < MINUTE_MS);
    if (window.length >= MAX_PER_MINUTE) {
      throw new OwError(
        429,
        `Too many requests in the last minute (count: ${window.length}, allowed: ${MAX_PER_MINUTE}).`,
      );
    }
    const running = this.running.get(namespace) ?? 0;
    if (running >= MAX_CONCURRENT) {
      throw new OwError(
        429,
        `Too many concurrent requests in flight (count: ${running}, allowed: ${MAX_CONCURRENT}).`,
      );
    }
    window.push(now);
    this.recent.set(namespace, window);
    this.running.set(namespace, running + 1);
  }

  release(namespace: string): void {
    const running = (this.running.get(namespace) ?? 1) - 1;
    if (running > 0) this.running.set(namespace, running);
    else this.running.delete(namespace);
  }

  clear(): void {
    this.running.clear();
    this.recent.clear();
  }
}
