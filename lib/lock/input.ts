/**
 * `lock_wait`: how long a mutating operation waits while another one holds the deployment. By
 * default a minute, or a third of the invocation's time when it has a deadline (about 10 s for a
 * web call, which must answer within 30 s), so waiting never eats the time the work needs.
 */
import * as z from 'zod';
import { customError } from '../config/input.js';
import type { Deadline } from '../deadline.js';
import { HOLDER_ID } from './holder.js';

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

const resumeMessage =
  'must be the resume token an in_progress answer of this operation gave (8 hex digits, as in "resume: 3f9a0c1d")';

/**
 * `resume`: the token an `in_progress` answer gave (lib/lock/resume.ts). Only the same operation
 * on the same deployment continues with it; anything else is refused here or not honoured there.
 */
export const resumeTokenSchema = z.string(customError(resumeMessage)).regex(HOLDER_ID, resumeMessage);

/** Spread into the input schema of deploy, edit and teardown (maintain never keeps the lock). */
export const resumeInputShape = { resume: resumeTokenSchema.optional() };

/** The wait in milliseconds: as asked (within the deadline), else the default described above. */
export function lockWaitMs(seconds: number | undefined, deadline: Deadline): number {
  const left = deadline.remainingMs();
  if (seconds !== undefined) return Math.min(seconds * 1000, left);
  return Number.isFinite(left) ? Math.min(DEFAULT_LOCK_WAIT_MS, Math.floor(left / 3)) : DEFAULT_LOCK_WAIT_MS;
}
