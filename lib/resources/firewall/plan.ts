/**
 * The deployment's cloud firewall, planned. It applies to droplets by the deployment's tag, so new
 * droplets are covered without touching it. Firewalls cannot be tagged: ours is the one with our
 * exact name AND our tag among those it applies to; anything else is left alone.
 */
import { firewallName } from '../../config/identity.js';
import type { Deployment } from '../../config/manifest.js';
import type { PlanStep } from '../types.js';
import {
  describeRule,
  firewallFromManifest,
  type NormalFirewall,
  type NormalRule,
  ruleKey,
} from './rules.js';

export type FirewallDesired = NormalFirewall;

export interface ExistingFirewall {
  id: string;
  name: string;
  /** `waiting` while DigitalOcean applies a change, then `succeeded` (or `failed`). */
  status: string;
  createdAt: string | undefined;
  normal: NormalFirewall;
}

export interface FirewallActual {
  slug: string;
  /** Ours (exact name and our tag), oldest first; more than one is a duplicate to remove. */
  owned: ExistingFirewall[];
  /** Names like ours that we cannot prove are ours: reported, never touched. */
  lookAlikes: ExistingFirewall[];
}

export function desiredFirewall(deployment: Deployment): FirewallDesired | undefined {
  if (!deployment.firewall) return undefined;
  return firewallFromManifest(firewallName(deployment.slug), [deployment.slug], deployment.firewall);
}

export function isOwnedFirewall(firewall: { name: string; tags: string[] }, slug: string): boolean {
  return firewall.name === firewallName(slug) && firewall.tags.includes(slug);
}

/**
 * Named within our prefix but not provably ours. Another deployment's firewall (`<its slug>-fw`
 * applied to `<its slug>`, e.g. base2-staging-eu's beside base2-staging) is not a look-alike.
 */
export function isLookAlike(firewall: { name: string; tags: string[] }, slug: string): boolean {
  if (isOwnedFirewall(firewall, slug)) return false;
  if (firewall.name !== slug && !firewall.name.startsWith(`${slug}-`)) return false;
  const otherSlug = firewall.name.endsWith('-fw') ? firewall.name.slice(0, -3) : undefined;
  return !(otherSlug && otherSlug !== slug && firewall.tags.includes(otherSlug));
}

function ruleChanges(direction: 'inbound' | 'outbound', want: NormalRule[], have: NormalRule[]): string[] {
  const haveKeys = new Set(have.map(ruleKey));
  const wantKeys = new Set(want.map(ruleKey));
  return [
    ...want
      .filter((r) => !haveKeys.has(ruleKey(r)))
      .map((r) => `+${direction} ${describeRule(r, direction)}`),
    ...have
      .filter((r) => !wantKeys.has(ruleKey(r)))
      .map((r) => `-${direction} ${describeRule(r, direction)}`),
  ];
}

/** What differs, in words; empty when the firewall already matches. */
export function firewallChanges(desired: NormalFirewall, actual: NormalFirewall): string[] {
  const changes = [
    ...ruleChanges('inbound', desired.inbound, actual.inbound),
    ...ruleChanges('outbound', desired.outbound, actual.outbound),
  ];
  if (desired.tags.join() !== actual.tags.join()) {
    changes.push(`tags ${actual.tags.join(',') || '(none)'} → ${desired.tags.join(',')}`);
  }
  if (desired.dropletIds.join() !== actual.dropletIds.join()) {
    changes.push(`droplet ids ${actual.dropletIds.join(',')} → ${desired.dropletIds.join(',') || '(none)'}`);
  }
  return changes;
}

function deleteStep(firewall: ExistingFirewall, reason: string): PlanStep {
  return { kind: 'firewall', action: 'delete', name: firewall.name, id: firewall.id, reason };
}

/**
 * Pure. Create when missing; one PUT (which replaces the whole firewall) when anything differs;
 * delete duplicates of ours. Without a firewall section nothing is planned: absent targets are
 * skipped, and only teardown (`destroyFirewall`) deletes ours. A firewall holding our exact name
 * that is not ours blocks the create (names are unique on DigitalOcean): no step, and the warning
 * says why.
 */
export function planFirewall(desired: FirewallDesired | undefined, actual: FirewallActual): PlanStep[] {
  if (!desired) return [];
  const [ours, ...duplicates] = actual.owned;
  const extra = duplicates.map((fw) => deleteStep(fw, `duplicate of ${ours?.id}`));
  if (!ours) {
    if (actual.lookAlikes.some((fw) => fw.name === desired.name)) return [];
    const rules = desired.inbound.length + desired.outbound.length;
    return [
      {
        kind: 'firewall',
        action: 'create',
        name: desired.name,
        reason: `missing: ${rules} rules, for droplets tagged ${desired.tags.join(', ')}`,
        payload: desired,
      },
    ];
  }
  const changes = firewallChanges(desired, ours.normal);
  const step: PlanStep =
    changes.length === 0
      ? { kind: 'firewall', action: 'noop', name: ours.name, id: ours.id, reason: 'matches the manifest' }
      : {
          kind: 'firewall',
          action: 'update',
          name: ours.name,
          id: ours.id,
          reason: changes.join('; '),
          payload: desired,
        };
  return [step, ...extra];
}

/** Pure: every firewall the deployment owns goes. */
export function destroyFirewall(actual: FirewallActual): PlanStep[] {
  return actual.owned.map((fw) => deleteStep(fw, 'owned by the deployment'));
}

export function firewallWarnings(actual: FirewallActual): string[] {
  const name = firewallName(actual.slug);
  const warnings = actual.lookAlikes.map((fw) =>
    fw.name === name
      ? `Firewall ${fw.name} (${fw.id}) has this deployment's name but does not apply to the tag ${actual.slug}, ` +
        'so this tool cannot prove it owns it: it is left alone, and the deployment gets no firewall until it is ' +
        `renamed or deleted (or given the tag ${actual.slug}).`
      : `Firewall ${fw.name} (${fw.id}) looks like this deployment's but is not managed by this tool ` +
        `(only ${name}, applied to the tag ${actual.slug}, is): it is left alone.`,
  );
  if (actual.owned.length > 1) {
    warnings.push(
      `${actual.owned.length} firewalls named ${name} apply to the tag ${actual.slug}: the oldest is kept, the others are removed.`,
    );
  }
  return warnings;
}
