/**
 * The domain and its records, planned (pure). Within a managed (name, type) every record is ours:
 * missing values are created, values no longer wanted are rewritten in place to a missing one (no
 * moment without an answer) or deleted, and a different TTL is updated.
 */
import type { PlanStep } from '../types.js';
import { type Clearing, displacedBy } from './clashes.js';
import {
  type DomainDesired,
  type ExistingRecord,
  expandData,
  keyOf,
  MARKER_NAME,
  markerValue,
  type RecordKey,
  type RecordSet,
  sameKey,
} from './records.js';

export interface DomainActual {
  slug: string;
  /** The manifest's domain; undefined when the manifest has none. */
  domain: string | undefined;
  exists: boolean;
  /** Every record of the domain (DigitalOcean's SOA and NS included). */
  records: ExistingRecord[];
  /** The (name, type) pairs the manifest manages. */
  managed: RecordKey[];
}

export interface DomainCreate {
  domain: string;
  marker: { name: string; data: string; ttl: number };
}

export interface RecordWrite {
  domain: string;
  type: string;
  name: string;
  /** As sent: a CNAME target with its trailing dot. */
  data: string;
  ttl: number;
}

export function isMarker(record: RecordKey & { data: string }, slug: string): boolean {
  return record.type === 'TXT' && record.name === MARKER_NAME && record.data === markerValue(slug);
}

/** The tool created this domain: it carries our marker. */
export function isMarked(actual: DomainActual): boolean {
  return actual.records.some((r) => isMarker(r, actual.slug));
}

/** What DigitalOcean puts in every zone: the SOA and the apex name servers. */
function isProviderRecord(record: RecordKey): boolean {
  return record.type === 'SOA' || (record.type === 'NS' && record.name === '@');
}

export function isManaged(actual: DomainActual, record: RecordKey): boolean {
  return actual.managed.some((key) => sameKey(key, record));
}

/** Records neither DigitalOcean's own, nor the marker, nor of a managed pair: someone else's. */
export function foreignRecords(actual: DomainActual): ExistingRecord[] {
  return actual.records.filter(
    (r) => !isProviderRecord(r) && !isMarker(r, actual.slug) && !isManaged(actual, r),
  );
}

function write(domain: string, set: RecordSet, value: string): RecordWrite {
  return { domain, type: set.type, name: set.name, data: expandData(set.type, value), ttl: set.ttl };
}

function planSet(domain: string, set: RecordSet, existing: ExistingRecord[]): PlanStep<RecordWrite>[] {
  const name = keyOf(set);
  const unmatched = [...existing];
  const kept: ExistingRecord[] = [];
  const missing: string[] = [];
  for (const value of set.values) {
    const index = unmatched.findIndex((r) => r.data === value);
    if (index < 0) missing.push(value);
    else kept.push(...unmatched.splice(index, 1));
  }
  const steps: PlanStep<RecordWrite>[] = [];
  const record = (
    action: PlanStep['action'],
    id: number,
    reason: string,
    value?: string,
  ): PlanStep<RecordWrite> => ({
    kind: 'record',
    action,
    name,
    id: String(id),
    reason,
    ...(value === undefined ? {} : { payload: write(domain, set, value) }),
  });
  for (const r of kept.filter((k) => k.ttl !== set.ttl)) {
    steps.push(record('update', r.id, `ttl ${r.ttl} → ${set.ttl} (${r.data})`, r.data));
  }
  for (const [i, stale] of unmatched.entries()) {
    const value = missing[i];
    if (value === undefined) steps.push(record('delete', stale.id, `${stale.data} is no longer wanted`));
    else steps.push(record('update', stale.id, `${stale.data} → ${value}`, value));
  }
  for (const value of missing.slice(unmatched.length)) {
    steps.push({
      kind: 'record',
      action: 'create',
      name,
      reason: `missing: ${value}`,
      payload: write(domain, set, value),
    });
  }
  if (steps.length === 0) steps.push({ kind: 'record', action: 'noop', name, reason: set.values.join(', ') });
  return steps;
}

/** Records nothing else may replace: DigitalOcean's own, the marker, those of a managed pair. */
export function isClaimed(actual: DomainActual, record: ExistingRecord): boolean {
  return isProviderRecord(record) || isMarker(record, actual.slug) || isManaged(actual, record);
}

/**
 * Pure: deletes of the records in the way of a set that is about to be written (clashes.ts), once
 * each, before any write. A pending set (its values not known yet) displaces nothing: the old
 * record keeps answering until the new one can be made.
 */
function clearingSteps(actual: DomainActual, written: readonly RecordSet[]): PlanStep<Clearing>[] {
  const steps = new Map<number, PlanStep<Clearing>>();
  for (const set of written) {
    for (const r of displacedBy(set, actual.records, (x) => isClaimed(actual, x))) {
      if (steps.has(r.id)) continue;
      steps.set(r.id, {
        kind: 'record',
        action: 'delete',
        name: keyOf(r),
        id: String(r.id),
        reason: `${r.data} makes way for ${keyOf(set)}: a CNAME shares its name with no other record`,
        payload: { clears: keyOf(set) },
      });
    }
  }
  return [...steps.values()];
}

/** No read tells whether another account holds a domain: only adding it does (apply.ts). */
const NOT_HERE = 'not in this account; whether another account holds it shows only when deploy adds it';

/**
 * Pure. A missing domain is created first (with the marker, by apply); then records in the way of
 * a write go (a type change at a name); then each managed pair whose values are known converges.
 * Pending pairs (no droplets or app yet) get no steps.
 */
export function planDomain(desired: DomainDesired | undefined, actual: DomainActual): PlanStep[] {
  if (!desired) return [];
  const steps: PlanStep[] = [];
  if (!actual.exists) {
    const payload: DomainCreate = {
      domain: desired.domain,
      marker: {
        name: MARKER_NAME,
        data: markerValue(desired.slug),
        ttl: Math.min(...desired.sets.map((s) => s.ttl), 1800),
      },
    };
    steps.push({ kind: 'domain', action: 'create', name: desired.domain, reason: NOT_HERE, payload });
  }
  const sets = desired.sets.map((set) => ({
    set,
    steps: planSet(
      desired.domain,
      set,
      actual.records.filter((r) => sameKey(r, set)),
    ),
  }));
  const written = sets.filter((x) => x.steps.some((s) => s.action === 'create')).map((x) => x.set);
  steps.push(...clearingSteps(actual, written));
  for (const x of sets) steps.push(...x.steps);
  return steps;
}

/**
 * Pure. A domain the tool created (marker) that holds nothing but ours, the marker and DigitalOcean's
 * SOA/NS goes whole (its records with it). Otherwise only our records go, and the domain stays.
 */
export function destroyDomain(actual: DomainActual): PlanStep[] {
  if (!actual.exists || !actual.domain) return [];
  const foreign = foreignRecords(actual);
  if (isMarked(actual) && foreign.length === 0) {
    return [
      {
        kind: 'domain',
        action: 'delete',
        name: actual.domain,
        id: actual.domain,
        reason: `created by this tool (${MARKER_NAME} marker) and holds nothing else`,
      },
    ];
  }
  const why = isMarked(actual)
    ? `managed by deployment.yml; the domain stays, it holds ${foreign.map(keyOf).join(', ')}`
    : 'managed by deployment.yml; the domain stays, this tool did not create it';
  return actual.records
    .filter((r) => isManaged(actual, r))
    .map((r) => ({
      kind: 'record' as const,
      action: 'delete' as const,
      name: keyOf(r),
      id: String(r.id),
      reason: `${r.data}: ${why}`,
    }));
}
