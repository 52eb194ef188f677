/**
 * Pure planning: desired droplets against the owned ones. One step per droplet, so the plan reads
 * as a list of names; apply batches creates ten to a request.
 */
import type { PlanStep } from '../types.js';
import type { ActualDroplets, CreatePayload, DesiredDroplets, DropletState } from './model.js';
import { parseDropletName } from './names.js';

export type DropletPayload =
  | { type: 'create'; create: CreatePayload }
  /** Power off, resize (CPU and RAM only, so it can be undone), power on; also powers on a droplet left off. */
  | { type: 'resize'; size: string }
  /**
   * Power on a droplet left off, at `size`, the size it has (an interrupted resize may have left it
   * off at either size): the same roll as a resize, which then has only the power on to do.
   */
  | { type: 'power-on'; size: string }
  /** DigitalOcean's enable_ipv6 action: the droplet keeps running, and keeps IPv6 for good. */
  | { type: 'enable-ipv6' }
  /** Delete a droplet of a replaced generation, once the successors are active. */
  | { type: 'retire'; generation: string; successors: string[] }
  /** A droplet marked as being deleted and still listed: delete it again and wait until it is gone. */
  | { type: 'finish-delete' }
  | { type: 'delete-by-tag'; tag: string };

export type DropletStep = PlanStep<DropletPayload>;

const step = (
  action: PlanStep['action'],
  name: string,
  reason: string,
  extra: Partial<DropletStep> = {},
): DropletStep => ({ kind: 'droplet', action, name, reason, ...extra });

const older = (a: DropletState, b: DropletState) =>
  (a.createdAt ?? Number.POSITIVE_INFINITY) - (b.createdAt ?? Number.POSITIVE_INFINITY) || a.id - b.id;

/** Owned droplets by name, oldest first; every one after the first is a duplicate. */
export function groupByName(owned: readonly DropletState[]): Map<string, DropletState[]> {
  const groups = new Map<string, DropletState[]>();
  for (const d of [...owned].sort(older)) groups.set(d.name, [...(groups.get(d.name) ?? []), d]);
  return groups;
}

/** The droplet each name stands for: the oldest, when there are duplicates. */
export function oldestByName(owned: readonly DropletState[]): Map<string, DropletState> {
  return new Map([...groupByName(owned)].map(([name, group]) => [name, group[0]!]));
}

function createPayload(desired: DesiredDroplets): CreatePayload {
  return {
    generation: desired.generation,
    region: desired.region,
    size: desired.size,
    image: desired.image,
    sshKeyFingerprint: desired.sshKeyFingerprint,
    tags: [...desired.tags],
    userData: desired.userData,
    ipv6: desired.ipv6,
  };
}

function planKept(desired: DesiredDroplets, kept: readonly DropletState[]): DropletStep[] {
  const byName = new Map(kept.map((d) => [d.name, d]));
  const steps: DropletStep[] = [];
  for (const name of desired.names) {
    const d = byName.get(name);
    // Off → on only: DigitalOcean cannot take IPv6 away from a droplet, and nothing needs that.
    const enableIpv6 = d !== undefined && desired.ipv6 && d.ipv6 !== true;
    if (enableIpv6) {
      const payload: DropletPayload = { type: 'enable-ipv6' };
      steps.push(step('update', name, 'IPv6 off → on', { id: String(d.id), payload }));
    }
    if (!d) {
      steps.push(
        step('create', name, 'missing', { payload: { type: 'create', create: createPayload(desired) } }),
      );
    } else if (d.size !== desired.size) {
      const payload: DropletPayload = { type: 'resize', size: desired.size };
      steps.push(step('update', name, `size ${d.size} → ${desired.size}`, { id: String(d.id), payload }));
    } else if (d.status === 'off') {
      steps.push(powerOnStep(d));
    } else if (!enableIpv6) {
      steps.push(step('noop', name, `${d.status}, ${d.size}`, { id: String(d.id) }));
    }
  }
  return steps;
}

function planStale(desired: DesiredDroplets, kept: readonly DropletState[]): DropletStep[] {
  const wanted = new Set(desired.names);
  return kept
    .filter((d) => !wanted.has(d.name))
    .map((d) => {
      const parsed = parseDropletName(d.name, desired.slug);
      const id = String(d.id);
      if (parsed?.generation === desired.generation) {
        return step('delete', d.name, `beyond count ${desired.count}`, { id });
      }
      if (desired.count === 0) return step('delete', d.name, 'count is 0', { id });
      const payload: DropletPayload = {
        type: 'retire',
        generation: desired.generation,
        successors: [...desired.names],
      };
      return step('delete', d.name, `replaced by generation ${desired.generation}`, {
        id,
        payload,
        deferred: true,
      });
    });
}

/** Droplets DigitalOcean still lists after an earlier delete: the delete is sent again and waited for. */
function finishDeletes(actual: ActualDroplets): DropletStep[] {
  return [...(actual.deleting ?? [])].sort(older).map((d) =>
    step('delete', d.name, 'being deleted: delete again, and wait until it is gone', {
      id: String(d.id),
      payload: { type: 'finish-delete' },
    }),
  );
}

/** Pure: powering on `d`, left off, at the size it has. */
export function powerOnStep(d: DropletState): DropletStep {
  const payload: DropletPayload = { type: 'power-on', size: d.size };
  return step('update', d.name, 'powered off → power on', { id: String(d.id), payload });
}

/**
 * Missing names → create; IPv6 wanted but off → update (enable_ipv6, before any resize of the same
 * droplet); size differs → update (resize); extra indexes → delete; duplicates of a
 * name → delete the newer; other generations → delete, deferred until the new one has verified;
 * droplets marked as being deleted → delete again (they count for nothing else).
 */
export function planDroplets(desired: DesiredDroplets | undefined, actual: ActualDroplets): DropletStep[] {
  if (!desired) return [];
  const groups = groupByName(actual.owned);
  const kept = [...groups.values()].map((g) => g[0]!);
  const duplicates = [...groups.values()].flatMap((g) =>
    g
      .slice(1)
      .map((d) =>
        step('delete', d.name, `duplicate name (keeps the older, id ${g[0]!.id})`, { id: String(d.id) }),
      ),
  );
  const steps = [
    ...planKept(desired, kept),
    ...planStale(desired, kept),
    ...duplicates,
    ...finishDeletes(actual),
  ];
  const order: Record<PlanStep['action'], number> = { create: 0, replace: 1, update: 2, noop: 3, delete: 4 };
  return steps.sort((a, b) => order[a.action] - order[b.action]);
}

/**
 * Pure teardown: one bulk delete by tag when every droplet carrying the slug tag is owned (fast
 * for fifty), else one delete per owned droplet, so a look-alike with the tag is never touched.
 */
export function destroyDroplets(actual: ActualDroplets): DropletStep[] {
  const all = [...actual.owned, ...(actual.deleting ?? [])];
  if (all.length === 0) return [];
  const taggedLookalike = actual.lookalikes.some((l) => l.why === 'tag');
  if (!taggedLookalike) {
    const count = all.length;
    return [
      step(
        'delete',
        `droplets tagged ${actual.slug}`,
        `all ${count} droplet(s) with the tag are owned: one bulk delete`,
        {
          payload: { type: 'delete-by-tag', tag: actual.slug },
        },
      ),
    ];
  }
  return all.sort(older).map((d) => step('delete', d.name, 'owned by the deployment', { id: String(d.id) }));
}
