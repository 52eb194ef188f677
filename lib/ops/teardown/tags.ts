/**
 * The tags a deployment's droplets carried, removed by teardown once nothing carries them. Deleting
 * a tag on DigitalOcean also untags everything still tagged with it (spec:tags_delete), so a tag is
 * deleted only when its resource count is 0 and no firewall names it (firewalls apply to tags but
 * are not counted among a tag's resources). The owner marker and the deletion marker are shared
 * by every deployment of this tool: they are also left while another deployment's operation holds
 * its lock, since that one may be creating droplets with them right now (its droplets would lose
 * the marker, and with it their owner). A tag left is harmless and free; the next teardown retries.
 */
import { OWNER_TAG } from '../../config/identity.js';
import { isNotFound, toApiError } from '../../do/index.js';
import { isToolError } from '../../errors.js';
import { DELETING_TAG } from '../../resources/droplets/deleted.js';
import { deleteIdempotently } from '../../resources/mutate.js';
import { listSshKeys } from '../../resources/ssh-key/read.js';
import type { AppliedStep, PlanStep } from '../../resources/types.js';
import { listFirewalls } from '../info/lists.js';
import type { OpContext } from '../types.js';

/** The deployment's own tag first, then the markers every deployment of this tool shares. */
export const teardownTags = (slug: string): string[] => [slug, OWNER_TAG, DELETING_TAG];

const isShared = (name: string) => name === OWNER_TAG || name === DELETING_TAG;

/** How many resources carry `name`, or undefined when no such tag exists. */
async function resourcesOf(ctx: OpContext, name: string): Promise<number | undefined> {
  try {
    const answer = await ctx.api.client.v2.tags.byTag_id(name).get();
    return answer?.tag?.resources?.count ?? 0;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw toApiError(error, { action: 'read', resource: `tag ${name}` });
  }
}

/**
 * The tags of `slug` this teardown can free: those that exist (or that deleting droplets makes)
 * and that no more resources carry than the `freed` droplets it deletes. Each is a delete step
 * applied once the rest is gone.
 */
export async function readTeardownTags(ctx: OpContext, slug: string, freed: number): Promise<PlanStep[]> {
  const names = teardownTags(slug);
  const counts = await Promise.all(names.map((name) => resourcesOf(ctx, name)));
  // Deleting droplets marks them DELETING_TAG first (lib/resources/droplets/delete.ts), creating it.
  const made = (name: string) => name === DELETING_TAG && freed > 0;
  return names.flatMap((name, i) =>
    (counts[i] === undefined && !made(name)) || (counts[i] ?? 0) > freed
      ? []
      : [
          {
            kind: 'tag' as const,
            action: 'delete' as const,
            name,
            reason: isShared(name)
              ? 'shared by every deployment of this tool: deleted once nothing in the account carries it'
              : 'deleted once nothing carries it',
            deferred: true,
          },
        ],
  );
}

/** Pure: why `name` must stay, or undefined when it may go. */
export function tagKept(
  name: string,
  seen: { resources: number; firewalls: readonly string[]; otherLocks: readonly string[] },
): string | undefined {
  if (seen.resources > 0) return `still on ${seen.resources} resource(s) that this teardown does not own`;
  if (seen.firewalls.length > 0) return `named by firewall ${seen.firewalls.join(', ')}`;
  if (isShared(name) && seen.otherLocks.length > 0)
    return `shared, and ${seen.otherLocks.join(', ')} is being changed right now: left for a later teardown`;
  return undefined;
}

/** A lock key's name as lib/lock/holder.ts writes it (lockKeyPrefix, holderName): `<slug>-lock: <op> <holder> since …`. */
const LOCK_NAME = /^(.+)-lock: [a-z_]+ [0-9a-f]+ since /;

/** The deployments other than `slug` whose lock is held (an operation of this tool running there). */
async function otherLocks(ctx: OpContext, slug: string): Promise<string[]> {
  return (await listSshKeys(ctx))
    .map((key) => LOCK_NAME.exec(key.name)?.[1])
    .filter((other): other is string => other !== undefined && other !== slug);
}

/**
 * Applies the tag steps, after every other resource of the deployment is verified gone: reads
 * each tag again and deletes it only when nothing carries it (see the file's comment).
 */
export async function removeTeardownTags(
  ctx: OpContext,
  slug: string,
  steps: readonly PlanStep[],
): Promise<AppliedStep[]> {
  if (steps.length === 0) return [];
  const skipped = (name: string, detail: string): AppliedStep => ({
    kind: 'tag',
    action: 'delete',
    name,
    outcome: 'skipped',
    detail,
  });
  // Tags cost nothing and carry nothing once the resources are gone: one that cannot be checked or
  // deleted now is left, said so, for the next teardown.
  const leftFor = (name: string, error: unknown) => {
    if (!isToolError(error)) throw error;
    return skipped(name, `not deleted (${error.message}); run teardown again to retry`);
  };
  let firewalls: Awaited<ReturnType<typeof listFirewalls>>;
  let locks: string[];
  try {
    [firewalls, locks] = await Promise.all([
      listFirewalls(ctx),
      steps.some((s) => isShared(s.name)) ? otherLocks(ctx, slug) : Promise.resolve([]),
    ]);
  } catch (error) {
    return steps.map((s) => leftFor(s.name, error));
  }
  const applied: AppliedStep[] = [];
  for (const step of steps) {
    try {
      const resources = await resourcesOf(ctx, step.name);
      if (resources === undefined) {
        applied.push({ ...skipped(step.name, 'already gone'), outcome: 'ok' });
        continue;
      }
      const naming = firewalls
        .filter((fw) => fw.tags?.includes(step.name))
        .map((fw) => fw.name ?? String(fw.id));
      const kept = tagKept(step.name, { resources, firewalls: naming, otherLocks: locks });
      applied.push(
        kept
          ? skipped(step.name, kept)
          : await deleteIdempotently(ctx, slug, { kind: 'tag', name: step.name, id: undefined }, () =>
              ctx.api.client.v2.tags.byTag_id(step.name).delete(),
            ),
      );
    } catch (error) {
      applied.push(leftFor(step.name, error));
    }
  }
  return applied;
}
