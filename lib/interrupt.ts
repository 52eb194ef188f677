/**
 * A host's request to stop (the CLI on Ctrl-C, SIGTERM or a broken pipe). Once `signal` aborts no
 * new change starts (lib/resources/mutate.ts), waits end as at a deadline, and the deployment lock
 * is released rather than kept for a next call. `held` is what lib/lock tells the host about the
 * locks it holds, so a host that must exit at once can still say which lock it leaves behind.
 */
import type { LockHolder } from './lock/holder.js';

export interface Interrupt {
  readonly signal: AbortSignal;
  /** Locks held right now, by deployment slug (kept up to date by lib/lock/lock.ts). */
  readonly held: Map<string, LockHolder>;
}

/** Whether the host has asked the operation of `ctx` to stop. */
export function isInterrupted(ctx: { interrupt?: Interrupt | undefined }): boolean {
  return ctx.interrupt?.signal.aborted === true;
}
