/**
 * What a person should know about the domain before the tool writes to it: names it is about to take
 * over from someone else, another deployment's marker, and records that would make a write fail.
 */
import type { Deployment } from '../../config/manifest.js';
import { clashesWith, displacedBy } from './clashes.js';
import { type DomainActual, isClaimed, isMarker } from './plan.js';
import { type DomainDesired, desiredDomain, keyOf, MARKER_NAME, markerValue, sameKey } from './records.js';

/**
 * A managed pair whose present values are all unwanted points elsewhere: typically records someone
 * made before the first deploy. They are the deployment's by definition (the manifest names them),
 * so deploy rewrites them, and the warning says what they pointed at.
 */
function takenOver(actual: DomainActual, desired: DomainDesired): string[] {
  return desired.sets.flatMap((set) => {
    const present = actual.records.filter((r) => sameKey(r, set));
    if (present.length === 0 || present.some((r) => set.values.includes(r.data))) return [];
    return [
      `DNS ${keyOf(set)}.${desired.domain} points at ${present.map((r) => r.data).join(', ')}, not at this ` +
        `deployment's ${set.values.join(', ')}: deployment.yml manages that name, so deploy rewrites it.`,
    ];
  });
}

/**
 * A CNAME shares its name with nothing. Records pointing the name elsewhere are replaced (deleted
 * first, clashes.ts); any other record in the way makes the write fail, so it is named here.
 */
function cnameConflicts(actual: DomainActual, desired: DomainDesired): string[] {
  const managedNames = [...desired.sets, ...desired.pending];
  return managedNames.flatMap((key) => {
    const clash = clashesWith(key, actual.records);
    if (clash.length === 0 || managedNames.some((k) => clash.some((r) => sameKey(r, k)))) return [];
    const replaced = displacedBy(key, actual.records, (r) => isClaimed(actual, r));
    const blocking = clash.filter((r) => !replaced.includes(r));
    const name = `DNS ${keyOf(key)}.${desired.domain}`;
    return [
      ...(replaced.length > 0
        ? [
            `${name} replaces ${replaced.map((r) => `${keyOf(r)} (${r.data})`).join(', ')}: a CNAME shares its ` +
              'name with no other record, so deploy deletes the old record just before it writes the new one.',
          ]
        : []),
      ...(blocking.length > 0
        ? [
            `${name} cannot be written: ${blocking.map(keyOf).join(', ')} already uses that name and a CNAME ` +
              'shares its name with no other record. Remove it, or change deployment.yml.',
          ]
        : []),
    ];
  });
}

function otherMarkers(actual: DomainActual): string[] {
  const others = actual.records.filter(
    (r) =>
      r.type === 'TXT' &&
      r.name === MARKER_NAME &&
      !isMarker(r, actual.slug) &&
      r.data.startsWith(markerValue('')),
  );
  return others.map(
    (r) =>
      `Domain ${actual.domain} was created by this tool for another deployment (${r.data.slice(markerValue('').length)}): ` +
      `${actual.slug} writes only the records deployment.yml lists, and never deletes the domain.`,
  );
}

/**
 * `desired` carries the facts (droplet addresses, the app's host); without it only the records with
 * literal values in the manifest can be compared.
 */
export function domainWarnings(
  actual: DomainActual,
  deployment: Deployment,
  desired?: DomainDesired,
): string[] {
  if (!actual.exists) return [];
  const wanted = desired ?? desiredDomain(deployment, { dropletIpv4: [] });
  if (!wanted) return [];
  return [...otherMarkers(actual), ...takenOver(actual, wanted), ...cnameConflicts(actual, wanted)];
}
