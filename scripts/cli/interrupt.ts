/**
 * Ctrl-C, SIGTERM and a broken pipe while an operation runs. The first one asks the operation to
 * stop (lib/interrupt.ts): no new change starts, waits end as at a deadline, the lock is given back,
 * and the CLI says what state things are in. A second Ctrl-C exits at once, naming any lock it leaves.
 */
import { type Deadline, sharedController } from '../../lib/deadline.js';
import { InterruptedError } from '../../lib/errors.js';
import type { Interrupt } from '../../lib/interrupt.js';
import { describeHolder, type LockHolder } from '../../lib/lock/holder.js';

export type InterruptCause = 'SIGINT' | 'SIGTERM' | 'EPIPE';

/** Exit codes by the shell's convention, 128 + the signal's number (a broken pipe as SIGPIPE, 13). */
export const INTERRUPT_EXIT: Record<InterruptCause, number> = { SIGINT: 130, SIGTERM: 143, EPIPE: 141 };

/**
 * npm and tsx pass one Ctrl-C on to the process again (it reaches the whole process group, and each
 * wrapper relays it): a second one this soon after the first is the same keypress, not a second.
 */
export const SAME_PRESS_MS = 1_000;

export interface InterruptHost {
  readonly interrupt: Interrupt;
  /** Why it was interrupted, once it was. */
  readonly cause: InterruptCause | undefined;
  /** `inner`, but over as soon as the operation is interrupted. */
  deadline(inner: Deadline): Deadline;
  /** Asks the operation to stop (the first time), or exits at once (a second signal). */
  trigger(cause: InterruptCause): void;
  /** Stops listening for signals. */
  dispose(): void;
}

export interface InterruptHostOptions {
  /** Where to say what is happening (stderr), unless it is the stream that broke. */
  say(text: string): void;
  /** Exits the process at once. */
  exit(code: number): never;
  now(): number;
  /** The deployment the operation works on, to name in the messages (`base2-staging`), if known. */
  subject: string;
}

/** Pure: the sentence about locks an operation leaves held, or '' when it leaves none. */
export function heldLocksText(held: ReadonlyMap<string, LockHolder>): string {
  return [...held]
    .map(
      ([slug, holder]) =>
        `The lock of ${slug} was not confirmed released (${describeHolder(holder)}): if it is still held, the next deploy, edit or teardown waits until it expires, then takes it over.\n`,
    )
    .join('');
}

export function interruptHost(options: InterruptHostOptions): InterruptHost {
  const controller = sharedController();
  const interrupt: Interrupt = { signal: controller.signal, held: new Map() };
  let cause: InterruptCause | undefined;
  let firstAt = 0;
  const trigger = (next: InterruptCause) => {
    if (cause === undefined) {
      cause = next;
      firstAt = options.now();
      if (next !== 'EPIPE') {
        options.say(
          `\n${next === 'SIGINT' ? 'Interrupted (Ctrl-C)' : 'Terminated (SIGTERM)'}: ${options.subject} starts no new change; ` +
            'finishing the call in flight and releasing the lock (Ctrl-C again to exit at once).\n',
        );
      }
      controller.abort(new InterruptedError(`The operation was interrupted (${next}).`));
      return;
    }
    if (next === 'EPIPE' || (next === cause && options.now() - firstAt < SAME_PRESS_MS)) return;
    const left = heldLocksText(interrupt.held);
    options.say(`Exiting at once (${next}), without waiting for the operation to wind down.\n${left}`);
    options.exit(INTERRUPT_EXIT[next]);
  };
  const onInt = () => trigger('SIGINT');
  const onTerm = () => trigger('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  return {
    interrupt,
    get cause() {
      return cause;
    },
    deadline: (inner) => interruptibleDeadline(inner, controller.signal),
    trigger,
    dispose() {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
    },
  };
}

/** `inner`, expired (and its signal aborted) as soon as `stop` aborts. */
export function interruptibleDeadline(inner: Deadline, stop: AbortSignal): Deadline {
  const controller = sharedController();
  const forward = (signal: AbortSignal) => () => {
    if (!controller.signal.aborted) controller.abort(signal.reason);
  };
  for (const signal of [stop, inner.signal]) {
    if (signal.aborted) forward(signal)();
    else signal.addEventListener('abort', forward(signal), { once: true });
  }
  return {
    remainingMs: () => (stop.aborted ? 0 : inner.remainingMs()),
    expired: () => stop.aborted || inner.expired(),
    signal: controller.signal,
  };
}
