/**
 * Where an operation's time went. Tool time is what the tool itself spends (reading, planning,
 * calling DigitalOcean); waiting is not tool time — on the platform's own work (builds, boots,
 * droplet actions such as a resize, deletions) or on another operation holding the deployment's
 * lock. Waits overlap (the app and the droplets are waited for side by side, a wait may run
 * inside another), so each kind counts the union of its intervals, never their sum.
 */
import type { Clock } from '../clock.js';

export type WaitKind = 'platform' | 'lock';

export interface Timing {
  /** Runs `work` as a wait of `kind`: its time counts as waiting, not as tool time. */
  waiting<T>(kind: WaitKind, work: () => Promise<T>): Promise<T>;
  /** Time waited on DigitalOcean's own work so far. */
  readonly platformWaitMs: number;
  /** Time waited while another operation held the deployment's lock so far. */
  readonly lockWaitMs: number;
  /** Time during which any wait ran (the union of both kinds: what tool time leaves out). */
  readonly waitMs: number;
}

/** A union of intervals, kept as a count of open waits and the total of closed stretches. */
class Stretches {
  private open = 0;
  private since = 0;
  private closed = 0;

  constructor(private readonly clock: Clock) {}

  begin(): void {
    if (this.open++ === 0) this.since = this.clock.now();
  }

  end(): void {
    if (--this.open === 0) this.closed += this.clock.now() - this.since;
  }

  total(): number {
    return this.closed + (this.open > 0 ? this.clock.now() - this.since : 0);
  }
}

export function createTiming(clock: Clock): Timing {
  const byKind: Record<WaitKind, Stretches> = { platform: new Stretches(clock), lock: new Stretches(clock) };
  const any = new Stretches(clock);
  return {
    async waiting(kind, work) {
      byKind[kind].begin();
      any.begin();
      try {
        return await work();
      } finally {
        byKind[kind].end();
        any.end();
      }
    },
    get platformWaitMs() {
      return byKind.platform.total();
    },
    get lockWaitMs() {
      return byKind.lock.total();
    },
    get waitMs() {
      return any.total();
    },
  };
}
