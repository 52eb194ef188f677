/**
 * Pure: DNS records an edit adds to or removes from the deployment's domain, as steps the domain
 * module applies (lookup-before-create, 404 on delete is done). Removed records are kept in their
 * steps, so a restore can write them back.
 */
import type { Deployment } from '../../config/manifest.js';
import type { Problem } from '../../errors.js';
import { type DomainActual, MARKER_NAME } from '../../resources/domain/index.js';
import type { RecordWrite } from '../../resources/domain/plan.js';
import {
  canonicalData,
  DEFAULT_TTL,
  type ExistingRecord,
  expandData,
  keyOf,
  relativeName,
  sameKey,
} from '../../resources/domain/records.js';
import type { PlanStep } from '../../resources/types.js';
import type { ChangeSet } from './input.js';

export interface RecordEdit {
  domain: string;
  steps: PlanStep[];
  /** Records added (as they will read back) and removed (as they were). */
  added: Array<{ type: string; name: string; data: string }>;
  removed: ExistingRecord[];
  /** The domain's records as read for the plan (DigitalOcean's rules are checked against them). */
  existing?: ExistingRecord[];
}

/** Pure: a create step that writes `record` back (for a restore, or an add). */
export function createStep(
  domain: string,
  record: { type: string; name: string; data: string; ttl: number },
  reason: string,
): PlanStep<RecordWrite> {
  return {
    kind: 'record',
    action: 'create',
    name: `${record.type} ${record.name}`,
    reason,
    payload: {
      domain,
      type: record.type,
      name: record.name,
      data: expandData(record.type, record.data),
      ttl: record.ttl,
    },
  };
}

export function deleteStep(record: ExistingRecord, reason: string): PlanStep<ExistingRecord> {
  return {
    kind: 'record',
    action: 'delete',
    name: keyOf(record),
    id: String(record.id),
    reason,
    payload: record,
  };
}

export function planRecordEdit(
  deployment: Deployment,
  changes: ChangeSet,
  actual: DomainActual,
): { edit?: RecordEdit; problems: Problem[]; warnings: string[] } {
  const domain = actual.domain ?? '';
  if (!actual.exists) {
    return {
      problems: [{ path: 'records', message: `the domain ${domain} does not exist yet: run deploy first` }],
      warnings: [],
    };
  }
  const problems: Problem[] = [];
  const touched: Array<{ type: string; name: string }> = [];
  const edit: RecordEdit = { domain, steps: [], added: [], removed: [], existing: actual.records };
  const ttl = deployment.domain?.ttl ?? DEFAULT_TTL;
  for (const add of changes.records.add) {
    const record = {
      type: add.type,
      name: relativeName(add.name),
      data: canonicalData(add.type, add.data, domain),
    };
    touched.push(record);
    if (actual.records.some((r) => sameKey(r, record) && r.data === record.data)) continue;
    edit.steps.push(createStep(domain, { ...record, ttl: add.ttl ?? ttl }, `added by edit: ${record.data}`));
    edit.added.push(record);
  }
  changes.records.remove.forEach((remove, index) => {
    const key = { type: remove.type, name: relativeName(remove.name) };
    if (key.type === 'TXT' && key.name === MARKER_NAME) {
      problems.push({
        path: `records.remove.${index}`,
        message: `${MARKER_NAME} is the marker that says this tool created the domain: edit never removes it`,
      });
      return;
    }
    touched.push(key);
    const data = remove.data === undefined ? undefined : canonicalData(key.type, remove.data, domain);
    const matching = actual.records.filter((r) => sameKey(r, key) && (data === undefined || r.data === data));
    for (const record of matching.filter((r) => !edit.removed.some((gone) => gone.id === r.id))) {
      edit.steps.push(deleteStep(record, `removed by edit: ${record.data}`));
      edit.removed.push(record);
    }
  });
  const warnings = actual.managed
    .filter((key) => touched.some((t) => sameKey(t, key)))
    .map(
      (key) =>
        `DNS ${keyOf(key)}.${domain} is managed by deployment.yml: the next deploy writes it back as the manifest says.`,
    );
  return { edit, problems, warnings };
}

/**
 * Pure: DigitalOcean's CNAME rule against the records the edit leaves — a CNAME owns its name alone
 * (422 "CNAME records cannot share a name with other records", and the other way round) — for the
 * names the edit adds to, one sentence each.
 */
export function cnameRefusals(edit: RecordEdit): string[] {
  const removed = new Set(edit.removed.map((r) => r.id));
  const after = [...(edit.existing ?? []).filter((r) => !removed.has(r.id)), ...edit.added];
  return [...new Set(edit.added.map((r) => r.name))].flatMap((name) => {
    const here = after.filter((r) => r.name === name);
    if (!here.some((r) => r.type === 'CNAME') || here.length < 2) return [];
    const types = here.map((r) => r.type).join(', ');
    return [
      `record ${name} of ${edit.domain}: a CNAME cannot share its name with another record, and the edit ` +
        `would leave ${types} there (DigitalOcean answers 422 "CNAME records cannot share a name with other records"): ` +
        'remove the record in the way in the same edit, or use another name',
    ];
  });
}
