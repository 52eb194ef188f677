/**
 * Waiting until DigitalOcean has finished deleting droplets: DELETE answers 204 at once, but the
 * droplet stays listed for a while (deleted.ts). Terraform's provider does the same, polling until
 * the droplet answers 404 (docs/fidelity.md, droplets.delete-async).
 */
import type { OpContext } from '../../ops/types.js';
import type { Readiness } from '../types.js';
import { waitFor } from '../wait.js';
import { unmarkDeleting } from './delete.js';
import { deletedBy, forgetDelete, outstandingDeletions } from './deleted.js';
import { listTagged } from './read.js';

/** How long DigitalOcean typically takes to finish deleting a droplet: when the wait looks first. */
export const TYPICAL_DELETE_MS = 20_000;

/**
 * A droplet still listed this long after a DELETE whose answer was lost was not deleted: Terraform's
 * provider gives a deletion a minute before it calls it failed (ctx.tuning.deleteSettleMs).
 */
export const DELETE_SETTLED_MS = 60_000;

export interface PendingDelete {
  id: number;
  name: string;
  sentAt: number;
  /** DigitalOcean accepted the DELETE; false when its answer was lost. */
  accepted: boolean;
}

/**
 * Pure: whether the deletions are done, from the ids of the droplets DigitalOcean lists now (those
 * carrying the deployment's tag: every droplet the tool deletes carries it). An accepted one is
 * waited for until it is gone; one whose answer was lost, only until it would have been gone.
 */
export function deletionReadiness(
  pending: readonly PendingDelete[],
  listed: ReadonlySet<number>,
  now: number,
  settledMs = DELETE_SETTLED_MS,
): Readiness & { kept: number[] } {
  const undecided = (d: PendingDelete) => d.accepted || now < d.sentAt + settledMs;
  const kept = pending.filter((d) => listed.has(d.id) && !undecided(d)).map((d) => d.id);
  const left = pending.filter((d) => listed.has(d.id) && undecided(d));
  if (left.length === 0) return { state: 'ready', kept };
  const eta = Math.max(...left.map((d) => d.sentAt + (d.accepted ? TYPICAL_DELETE_MS : settledMs) - now));
  return {
    state: 'pending',
    detail: `DigitalOcean still lists ${left.length} of ${pending.length} deleted droplet(s) (${left.map((d) => d.name).join(', ')})`,
    fraction: (pending.length - left.length) / pending.length,
    etaMs: Math.max(0, eta),
    kept,
  };
}

/**
 * Waits, within the deadline, until DigitalOcean no longer lists a droplet this operation deleted,
 * with progress; one list call per poll, the time counted as DigitalOcean's. With `all`, also
 * the droplets whose DELETE went unanswered: each is then found gone, or found still there after a
 * deletion would have finished and taken as not deleted (forgotten, its deleting mark taken off).
 * `pending` when the deadline comes first: the operation answers `in_progress`.
 */
export async function waitUntilDeleted(
  ctx: OpContext,
  slug: string,
  which: 'accepted' | 'all' = 'accepted',
): Promise<Readiness> {
  if (outstandingDeletions(ctx, which).length === 0) return { state: 'ready' };
  const kept: Array<{ id: number; name: string }> = [];
  const state = await waitFor(ctx, 'waiting for DigitalOcean to delete droplets', async () => {
    const pending = outstandingDeletions(ctx, which);
    const listed = new Set((await listTagged(ctx, slug)).map((d) => d.id));
    for (const [id, d] of deletedBy(ctx)) if (!listed.has(id)) d.gone = true;
    const settledMs = ctx.tuning.deleteSettleMs ?? DELETE_SETTLED_MS;
    const { kept: still, ...readiness } = deletionReadiness(pending, listed, ctx.clock.now(), settledMs);
    for (const id of still) {
      kept.push({ id, name: deletedBy(ctx).get(id)?.name ?? String(id) });
      forgetDelete(ctx, id);
    }
    return readiness;
  });
  await unmarkDeleting(ctx, slug, kept);
  return state;
}
