/**
 * A CNAME shares its name with no other record: DigitalOcean refuses a CNAME where another record
 * is ("CNAME records cannot share a name with other records") and any record where a CNAME is
 * ("records cannot share a name with a CNAME record"). So when deployment.yml changes what a name
 * is (an A record at `app` becoming a CNAME to the app, or back), the record in the way goes first,
 * and only then is the new one written (pure; apply.ts keeps the order).
 */
import type { ExistingRecord, RecordKey } from './records.js';

/** Records that say where a name points: a manifest that points the name elsewhere replaces them. */
const POINTING_TYPES: ReadonlySet<string> = new Set(['A', 'AAAA', 'CNAME']);

/** What a delete that makes way for a record carries, so apply runs it before the writes. */
export interface Clearing {
  /** The (type name) it makes way for, e.g. `CNAME app`. */
  clears: string;
}

export function isClearing(payload: unknown): payload is Clearing {
  return typeof (payload as Clearing | undefined)?.clears === 'string';
}

/** Pure: the records DigitalOcean would not let a record of `key` share its name with. */
export function clashesWith(key: RecordKey, records: readonly ExistingRecord[]): ExistingRecord[] {
  return records.filter(
    (r) => r.name === key.name && r.type !== key.type && (r.type === 'CNAME' || key.type === 'CNAME'),
  );
}

/**
 * Pure: the clashing records the deployment replaces — those pointing the name somewhere (A, AAAA,
 * CNAME) that nothing else claims (`isClaimed`: DigitalOcean's own, the marker, a managed pair).
 * Others (a TXT someone keeps at the name, say) are never deleted: the write is refused, and the
 * warnings say so before.
 */
export function displacedBy(
  key: RecordKey,
  records: readonly ExistingRecord[],
  isClaimed: (record: ExistingRecord) => boolean,
): ExistingRecord[] {
  return clashesWith(key, records).filter((r) => POINTING_TYPES.has(r.type) && !isClaimed(r));
}
