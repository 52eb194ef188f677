/**
 * Droplets being deleted. Deleting a droplet is asynchronous on DigitalOcean: DELETE answers 204 at
 * once, and the droplet stays listed — still `active`, no longer running — until DigitalOcean has
 * finished, then GET answers 404 (docs/fidelity.md, droplets.delete-async). Nothing in the listing
 * tells such a droplet from a live one, so the tool says it itself, in DigitalOcean where every
 * later call and operation reads it: before deleting a droplet it tags it DELETING_TAG (tagging
 * answers at once). A droplet listed with that tag is going — no operation counts it as serving or
 * plans around it, and the next mutating one deletes it again (204, or 404) and waits. Within one
 * operation, what it deleted is remembered too, to wait until DigitalOcean no longer lists it
 * (wait-deleted.ts).
 */
import type { OpContext } from '../../ops/types.js';

/** Marks a droplet the tool has decided to delete (tag names allow letters, digits, `-`, `_`, `:`). */
export const DELETING_TAG = 'base2-do:deleting';

/** The droplet carries the deleting mark: the tool deleted it, or was about to. */
export function isMarkedDeleting(droplet: { tags: readonly string[] }): boolean {
  return droplet.tags.includes(DELETING_TAG);
}

export interface Deleted {
  name: string;
  /** When the DELETE was sent (ctx.clock). */
  sentAt: number;
  /** DigitalOcean accepted it (204, or 404); false when its answer was lost. */
  accepted: boolean;
  /** Seen no longer listed: really gone. */
  gone: boolean;
}

/** Per operation (keyed by its API client, which is the operation's own), the droplets it deleted. */
const deletedByClient = new WeakMap<object, Map<number, Deleted>>();

/** The operation's record, id → what it knows; the wait marks droplets gone in it. */
export function deletedBy(ctx: OpContext): Map<number, Deleted> {
  let deleted = deletedByClient.get(ctx.api);
  if (!deleted) {
    deleted = new Map();
    deletedByClient.set(ctx.api, deleted);
  }
  return deleted;
}

/** A DELETE of the droplet was accepted (204, or 404: already gone or going). */
export function rememberDeleted(ctx: OpContext, droplet: { id: number; name: string }): void {
  const known = deletedBy(ctx).get(droplet.id);
  deletedBy(ctx).set(droplet.id, {
    name: droplet.name,
    sentAt: known?.sentAt ?? ctx.clock.now(),
    accepted: true,
    gone: known?.gone ?? false,
  });
}

/**
 * A DELETE was sent but its answer was lost (5xx, timeout, dropped connection after the
 * transport's retries): the droplet may be going, or not.
 */
export function rememberUnclearDelete(ctx: OpContext, droplet: { id: number; name: string }): void {
  if (!deletedBy(ctx).has(droplet.id)) {
    deletedBy(ctx).set(droplet.id, {
      name: droplet.name,
      sentAt: ctx.clock.now(),
      accepted: false,
      gone: false,
    });
  }
}

/**
 * A droplet whose lost DELETE evidently did not happen (DigitalOcean still lists it long after a
 * delete would have finished): it is not one this operation deleted after all.
 */
export function forgetDelete(ctx: OpContext, id: number): void {
  deletedBy(ctx).delete(id);
}

/** Every droplet this operation sent a DELETE for, gone or not: none of them may count as serving. */
export function deletedIds(ctx: OpContext): ReadonlySet<number> {
  return new Set(deletedByClient.get(ctx.api)?.keys() ?? []);
}

/** Deletions not yet seen finished, as of the last look: the accepted ones, or `all` (those whose answer was lost too). */
export function outstandingDeletions(
  ctx: OpContext,
  which: 'accepted' | 'all' = 'accepted',
): Array<{ id: number } & Deleted> {
  return [...deletedBy(ctx)].flatMap(([id, d]) =>
    !d.gone && (d.accepted || which === 'all') ? [{ id, ...d }] : [],
  );
}

/**
 * Where an operation stands when deletions it made are not finished yet (the deadline came
 * first), for its `in_progress` answer; undefined when none is outstanding.
 */
export function unfinishedDeletions(ctx: OpContext): { phase: string; detail: string } | undefined {
  const still = outstandingDeletions(ctx);
  if (still.length === 0) return undefined;
  return {
    phase: 'waiting for DigitalOcean to delete droplets',
    detail: `${still.map((d) => d.name).join(', ')}: deleted, still listed by DigitalOcean; the next call waits until they are gone`,
  };
}
