import { setMaxListeners } from 'node:events';
import type { Clock } from './clock.js';

/**
 * How long an operation may keep working. Web calls are cut at 30 s, so operations converge
 * within a deadline and return `in_progress` when it runs out; the CLI passes its --timeout.
 */
export interface Deadline {
  /** Milliseconds left, never negative. */
  remainingMs(): number;
  expired(): boolean;
  /** Aborts when the deadline passes, so waits stop on time. */
  readonly signal: AbortSignal;
}

export function createDeadline(clock: Clock, ms: number): Deadline {
  const end = clock.now() + Math.max(0, ms);
  const controller = sharedController();
  const timer = setTimeout(
    () => controller.abort(new Error('deadline reached')),
    Math.min(Math.max(0, ms), 2_147_483_647),
  );
  timer.unref?.();
  return {
    remainingMs: () => Math.max(0, end - clock.now()),
    expired: () => clock.now() >= end,
    signal: controller.signal,
  };
}

/** A deadline that never passes, for callers that keep converging until done. */
export function noDeadline(): Deadline {
  return {
    remainingMs: () => Number.POSITIVE_INFINITY,
    expired: () => false,
    signal: sharedController().signal,
  };
}

/**
 * A controller whose signal many waits listen to at once (a deploy polls every droplet in
 * parallel): each wait removes its listener when done, so more than Node's default of 10 at a time
 * is expected, not a leak.
 */
export function sharedController(): AbortController {
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  return controller;
}
