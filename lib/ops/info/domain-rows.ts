/**
 * Pure: a domain and its records as info lists them. In deployment scope each record says how it
 * relates to the deployment (one of its values, pointing elsewhere, still unverifiable), and only
 * the names the manifest manages are listed (plus the marker); the rest of the zone is counted.
 */
import type { DomainActual, DomainDesired } from '../../resources/domain/index.js';
import { MARKER_NAME, markerValue } from '../../resources/domain/index.js';
import { sameKey } from '../../resources/domain/records.js';
import type { DomainRow, RecordRow, RecordState } from './types.js';

interface RecordLike {
  id: number;
  type: string;
  name: string;
  data: string;
  ttl: number;
}

function row(record: RecordLike, state?: RecordState): RecordRow {
  return {
    id: record.id,
    type: record.type,
    name: record.name,
    data: record.data,
    ttl: record.ttl,
    ...(state ? { state } : {}),
  };
}

/** The deployment whose marker the zone carries: this tool created the domain for it. */
export function createdBy(records: readonly RecordLike[]): string | undefined {
  const prefix = markerValue('');
  const marker = records.find((r) => r.type === 'TXT' && r.name === MARKER_NAME && r.data.startsWith(prefix));
  return marker ? marker.data.slice(prefix.length) || undefined : undefined;
}

/** Every record as DigitalOcean lists it (SOA and NS included): account scope. */
export function accountDomainRow(name: string, records: readonly RecordLike[]): DomainRow {
  const by = createdBy(records);
  return { name, exists: true, ...(by ? { created_by: by } : {}), records: records.map((r) => row(r)) };
}

/**
 * How one record relates to the deployment, or undefined when it is not at a name the manifest
 * manages. `desired` carries the values known from the facts (droplet addresses, the app host).
 */
export function recordState(
  record: RecordLike,
  actual: DomainActual,
  desired: DomainDesired | undefined,
): RecordState | undefined {
  if (record.type === 'TXT' && record.name === MARKER_NAME && record.data.startsWith(markerValue(''))) {
    return 'marker';
  }
  const set = desired?.sets.find((s) => sameKey(s, record));
  if (set) return set.values.includes(record.data) ? 'ok' : 'points elsewhere';
  if (desired?.pending.some((p) => sameKey(p, record))) return 'unverified';
  if (actual.managed.some((key) => sameKey(key, record))) return 'points elsewhere';
  const isProvider = record.type === 'SOA' || (record.type === 'NS' && record.name === '@');
  const blocks = actual.managed.some(
    (key) => key.name === record.name && (key.type === 'CNAME' || record.type === 'CNAME'),
  );
  return blocks && !isProvider ? 'in the way' : undefined;
}

/** The deployment's domain: the records at managed names (and the marker), the rest counted. */
export function deploymentDomainRow(actual: DomainActual, desired: DomainDesired | undefined): DomainRow {
  const name = actual.domain ?? '';
  if (!actual.exists) return { name, exists: false, records: [] };
  const listed: RecordRow[] = [];
  for (const record of actual.records) {
    const state = recordState(record, actual, desired);
    if (state) listed.push(row(record, state));
  }
  const by = createdBy(actual.records);
  return {
    name,
    exists: true,
    ...(by ? { created_by: by } : {}),
    records: listed,
    other_records: actual.records.length - listed.length,
  };
}
