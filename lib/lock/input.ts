/**
 * `lock_wait`: how long a mutating operation waits while another one holds the deployment. By
 * default a minute, or a third of the invocation's time when it has a deadline (about 10 s for a
 * web call, which must answer within 30 s), so waiting never eats the time the work needs.
 */
import * as z from 'zod';
import { customError } from '../config/input.js';
import type { Deadline } from '../deadline.js';

export const DEFAULT_LOCK_WAIT_MS = 60_000;
export const MAX_LOCK_WAIT_SECONDS = 900;

const message = `must be a number of seconds from 0 (fail at once when another operation holds the deployment) to ${MAX_LOCK_WAIT_SECONDS}`;

/** Seconds, as a number or the string a CLI flag or query parameter carries. */
export const lockWaitSchema = z
  .union(
    [
      z.number(),
      z
        .string()
        .regex(/^\d+(?:\.\d+)?$/)
        .transform(Number),
    ],
    customError(message),
  )
  .pipe(z.number().min(0, message).max(MAX_LOCK_WAIT_SECONDS, message));

/** Spread into a mutating operation's input schema. */
export const lockInputShape = { lock_wait: lockWaitSchema.optional() };

/** The wait in milliseconds: as asked (within the deadline), else the default described above. */
export function lockWaitMs(seconds: number | undefined, deadline: Deadline): number {
  const left = deadline.remainingMs();
  if (seconds !== undefined) return Math.min(seconds * 1000, left);
  return Number.isFinite(left) ? Math.min(DEFAULT_LOCK_WAIT_MS, Math.floor(left / 3)) : DEFAULT_LOCK_WAIT_MS;
}
