/**
 * How a mutating operation holds its deployment's lock across one call: the work runs, then an
 * `in_progress` answer keeps the lock paused for the call that continues it (the token in
 * `result.resume`), and any other answer, or an error, releases it.
 */
import type { OpOutcome } from '../ops/types.js';
import { DEFAULT_LOCK_TTL_MS, type DeploymentLock } from './lock.js';

/** A result that can carry the resume token. */
export interface Resumable {
  /**
   * Present when the operation answered `in_progress` holding the lock: give it back as `resume`
   * to the next call of the same operation, which then continues under the same lock at once.
   */
  resume?: string;
}

/**
 * Runs `work` with `lock`: a continuing call (a `resume` token, not a dry run) first takes back its
 * paused lock, so nothing else got in between and its answer releases or pauses it again. An
 * interrupted operation (lib/interrupt.ts) releases it whatever it answered: nobody is going to
 * call it again with the token, and every operation continues from DigitalOcean's actual state.
 */
export async function holdingLock<R extends Resumable>(
  lock: DeploymentLock,
  input: { dry_run: boolean },
  work: () => Promise<OpOutcome<R>>,
): Promise<OpOutcome<R>> {
  let answer: OpOutcome<R> | undefined;
  try {
    if (!input.dry_run) await lock.reclaim();
    answer = await work();
  } finally {
    if (answer?.status !== 'in_progress' || lock.interrupted) await lock.release();
  }
  const token = await lock.pause();
  if (token !== undefined) answer.result.resume = token;
  return answer;
}

/** Pure: how a person continues an operation that answered `in_progress`, for its rendering. */
export function continueAdvice(command: string, token: string | undefined): string {
  if (token === undefined) return `Run ${command} again to continue.`;
  const minutes = Math.round(DEFAULT_LOCK_TTL_MS / 60_000);
  return (
    `Run ${command} again with --resume ${token} to continue (npm run remote does this for you): the ` +
    `deployment stays locked for it, for ${minutes} minutes at most.`
  );
}
