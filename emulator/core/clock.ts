/**
 * The emulator's virtual clock. Lifecycles (droplet boot, actions, app deployment phases) are
 * derived from virtual timestamps when read, so a faster time scale makes everything faster
 * without timers, and tests can jump ahead with `advance`.
 */
export class EmuClock {
  private baseVirtual: number;
  private baseReal: number;
  private scale: number;

  constructor(
    timeScale = 1,
    private readonly realNow: () => number = Date.now,
  ) {
    this.scale = checkScale(timeScale);
    this.baseReal = realNow();
    this.baseVirtual = this.baseReal;
  }

  /** Virtual milliseconds since the epoch. */
  now(): number {
    return this.baseVirtual + (this.realNow() - this.baseReal) * this.scale;
  }

  iso(at = this.now()): string {
    return new Date(Math.floor(at)).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }

  get timeScale(): number {
    return this.scale;
  }

  setTimeScale(timeScale: number): void {
    this.rebase();
    this.scale = checkScale(timeScale);
  }

  /** Jump virtual time forward; everything derived from it moves on at once. */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError('advance takes a non-negative number of milliseconds');
    this.rebase();
    this.baseVirtual += ms;
  }

  /** Real milliseconds that `virtualMs` of emulated time take at the current scale. */
  toReal(virtualMs: number): number {
    return virtualMs / this.scale;
  }

  /** Waits `virtualMs` of emulated time (scaled to real time). */
  sleep(virtualMs: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, Math.max(0, this.toReal(virtualMs))));
  }

  private rebase(): void {
    this.baseVirtual = this.now();
    this.baseReal = this.realNow();
  }
}

function checkScale(timeScale: number): number {
  if (!(timeScale > 0 && timeScale <= 10_000)) throw new RangeError('time scale must be > 0 and ≤ 10000');
  return timeScale;
}
