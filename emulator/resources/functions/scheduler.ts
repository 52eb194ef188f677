/**
 * Fires enabled scheduled triggers on the virtual clock: a timer checks, about once a virtual
 * second, which triggers are due and invokes their functions as non-blocking activations with the
 * trigger's body as parameters. A jump of the clock (`advance`) makes a due trigger fire once, not
 * once per missed slot. The timer only runs while some trigger is enabled.
 */
import type { EmuClock } from '../../core/clock.js';
import { OwError } from '../../openwhisk/errors.js';
import type { Invoker } from '../../openwhisk/invoker.js';
import type { FunctionsState, NamespaceRecord, TriggerRecord } from '../../openwhisk/state.js';
import { nextRun } from './cron.js';
import { triggerActionName } from './triggers.js';

/** Virtual milliseconds between checks; real time is bounded so checks stay cheap and timely. */
const CHECK_EVERY_MS = 1_000;
const REAL_BOUNDS = { min: 10, max: 1_000 };

export class TriggerScheduler {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly clock: EmuClock,
    private readonly state: FunctionsState,
    private readonly invoker: Invoker,
  ) {}

  /** Called when triggers change: starts checking if anything is scheduled. */
  wake(): void {
    if (this.timer === undefined && !this.stopped && this.hasEnabledTriggers()) this.schedule();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Fires every due trigger once (exposed so the check can run without waiting on the timer). */
  tick(): void {
    const now = this.clock.now();
    for (const ns of this.state.namespaces.values()) {
      for (const trigger of ns.triggers.values()) {
        if (trigger.isEnabled && trigger.nextRunAt !== undefined && trigger.nextRunAt <= now)
          this.fire(ns, trigger, now);
      }
    }
  }

  private fire(ns: NamespaceRecord, trigger: TriggerRecord, now: number): void {
    trigger.lastRunAt = now;
    trigger.nextRunAt = nextRun(trigger.cron, now);
    const action = ns.actions.get(triggerActionName(ns, trigger.function));
    // A function deleted after its trigger was made has nothing to run; the schedule goes on.
    if (!action) return;
    try {
      this.invoker.invoke(ns, action, { ...(trigger.body ?? {}) });
    } catch (error) {
      // A namespace at its invocation limits skips this run, as the platform throttles it.
      if (!(error instanceof OwError)) throw error;
    }
  }

  private schedule(): void {
    const delay = Math.min(REAL_BOUNDS.max, Math.max(REAL_BOUNDS.min, this.clock.toReal(CHECK_EVERY_MS)));
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.tick();
      this.wake();
    }, delay);
    this.timer.unref();
  }

  private hasEnabledTriggers(): boolean {
    for (const ns of this.state.namespaces.values()) {
      for (const trigger of ns.triggers.values()) if (trigger.isEnabled) return true;
    }
    return false;
  }
}
