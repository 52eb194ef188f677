/**
 * Carrying out domain and record steps: the domain first (with its marker), then the records (those
 * in the way of a new one first), then a domain delete last. Creates look before they make
 * anything, so a retry after an unclear failure never doubles a record.
 */
import type { Deployment } from '../../config/manifest.js';
import { ApiError, createOnce, isNotFound, toToolError } from '../../do/index.js';
import { ConflictError, isToolError } from '../../errors.js';
import type { OpContext } from '../../ops/types.js';
import { mutate } from '../mutate.js';
import type { AppliedStep, PlanStep } from '../types.js';
import { isClearing } from './clashes.js';
import type { DomainCreate, RecordWrite } from './plan.js';
import { listRecords } from './read.js';
import { canonicalData, type ExistingRecord } from './records.js';

const records = (ctx: OpContext, domain: string) => ctx.api.client.v2.domains.byDomain_name(domain).records;

/**
 * Creates one record. Steps are planned from the zone read just before, under the deployment lock,
 * so it is not looked up first (50 records would cost 50 more GETs); after an unclear failure it
 * is, so a retry never doubles it.
 */
async function createRecord(
  ctx: OpContext,
  write: RecordWrite,
): Promise<{ record: ExistingRecord; created: boolean }> {
  const data = canonicalData(write.type, write.data, write.domain);
  const { resource, created } = await createOnce({
    what: `DNS record ${write.type} ${write.name}.${write.domain}`,
    clock: ctx.clock,
    settleMs: ctx.tuning.pollInitialMs,
    planned: true,
    find: async () =>
      (await listRecords(ctx, write.domain, { name: write.name, type: write.type }))?.find(
        (r) => r.data === data,
      ),
    create: async () => {
      const answer = await records(ctx, write.domain).post({
        type: write.type,
        name: write.name,
        data: write.data,
        ttl: write.ttl,
      });
      const id = answer?.domainRecord?.id ?? 0;
      return { id, type: write.type, name: write.name, data, ttl: write.ttl };
    },
  });
  return { record: resource, created };
}

/** Runs `call`; true when DigitalOcean answered 404 (already gone is fine), false when it worked. */
async function answersNotFound(call: () => Promise<unknown>): Promise<boolean> {
  try {
    await call();
    return false;
  } catch (error) {
    if (isNotFound(error)) return true;
    throw error;
  }
}

/** DigitalOcean's refusal of a domain that is already in an account, this one or another. */
function isNameTaken(error: unknown): error is ApiError {
  return error instanceof ApiError && error.status === 422 && /already exists/i.test(error.message);
}

function heldElsewhere(domain: string, error: ApiError): ConflictError {
  return new ConflictError(
    `Domain ${domain} is held by another DigitalOcean account, so this one cannot add it (${error.message.replace(/\.$/, '')}).`,
    {
      hint: 'Remove the domain from the account that holds it, or set domain.name in deployment.yml to a domain you hold; no DNS record was written.',
    },
  );
}

/**
 * The domain, then its marker. The marker is written only when this call made the domain (or an
 * unclear create turned out to have made it): a domain that already existed is someone else's.
 */
async function createDomain(ctx: OpContext, slug: string, step: PlanStep): Promise<AppliedStep> {
  const { domain, marker } = step.payload as DomainCreate;
  const inAccount = async () => {
    try {
      return !(await answersNotFound(() => ctx.api.client.v2.domains.byDomain_name(domain).get()));
    } catch (error) {
      throw toToolError(error, { action: 'look up', resource: `domain ${domain}` });
    }
  };
  let made: { created: boolean };
  try {
    made = await mutate(ctx, slug, { kind: 'domain', name: domain, action: 'create' }, () =>
      createOnce({
        what: `domain ${domain}`,
        clock: ctx.clock,
        settleMs: ctx.tuning.pollInitialMs,
        find: async () => ((await inAccount()) ? domain : undefined),
        create: async () => {
          await ctx.api.client.v2.domains.post({ name: domain });
          return domain;
        },
      }),
    );
  } catch (error) {
    if (!isNameTaken(error)) throw error;
    // Taken, yet not in this account: another account holds it (a zone is in one account only).
    if (!(await inAccount())) throw heldElsewhere(domain, error);
    made = { created: false };
  }
  if (!made.created) {
    return {
      kind: 'domain',
      action: 'create',
      name: domain,
      id: domain,
      outcome: 'ok',
      detail: 'already existed; not marked as created by this tool',
    };
  }
  await mutate(ctx, slug, { kind: 'record', name: `TXT ${marker.name} in ${domain}`, action: 'create' }, () =>
    createRecord(ctx, { domain, type: 'TXT', ...marker }),
  );
  return {
    kind: 'domain',
    action: 'create',
    name: domain,
    id: domain,
    outcome: 'ok',
    detail: `marked with ${marker.name}`,
  };
}

async function applyRecord(
  ctx: OpContext,
  slug: string,
  domain: string,
  step: PlanStep,
): Promise<AppliedStep> {
  const target = { kind: 'record' as const, name: `${step.name} in ${domain}`, action: step.action };
  const done = (detail?: string): AppliedStep => ({
    kind: 'record',
    action: step.action,
    name: step.name,
    ...(step.id ? { id: step.id } : {}),
    outcome: 'ok',
    ...(detail ? { detail } : {}),
  });
  if (step.action === 'create') {
    const write = step.payload as RecordWrite;
    const { record, created } = await mutate(ctx, slug, target, () => createRecord(ctx, write));
    return { ...done(created ? write.data : `${write.data} already existed`), id: String(record.id) };
  }
  const byId = records(ctx, domain).byDomain_record_id(Number(step.id));
  if (step.action === 'update') {
    const write = step.payload as RecordWrite;
    // DigitalOcean re-validates the stored record on every update: `data` must always be sent.
    await mutate(ctx, slug, target, () => byId.put({ type: write.type, data: write.data, ttl: write.ttl }));
    return done(step.reason);
  }
  const gone = await mutate(ctx, slug, target, () => answersNotFound(() => byId.delete()));
  return done(gone ? 'already gone' : step.reason);
}

async function deleteDomain(ctx: OpContext, slug: string, step: PlanStep): Promise<AppliedStep> {
  const domain = step.id ?? step.name;
  const gone = await mutate(ctx, slug, { kind: 'domain', name: domain, action: 'delete' }, () =>
    answersNotFound(() => ctx.api.client.v2.domains.byDomain_name(domain).delete()),
  );
  return {
    kind: 'domain',
    action: 'delete',
    name: domain,
    id: domain,
    outcome: 'ok',
    ...(gone ? { detail: 'already gone' } : {}),
  };
}

/**
 * Runs record steps in parallel. A failure fails the apply (after the others have finished, so the
 * audit trail holds everything that happened) with the first error.
 */
async function applyRecords(
  ctx: OpContext,
  slug: string,
  domain: string,
  steps: readonly PlanStep[],
  applied: AppliedStep[],
): Promise<void> {
  const settled = await Promise.allSettled(steps.map((step) => applyRecord(ctx, slug, domain, step)));
  const failures: unknown[] = [];
  settled.forEach((result, i) => {
    const step = steps[i]!;
    if (result.status === 'fulfilled') applied.push(result.value);
    else {
      failures.push(result.reason);
      const detail = isToolError(result.reason) ? result.reason.message : 'unexpected failure';
      applied.push({ kind: 'record', action: step.action, name: step.name, outcome: 'failed', detail });
    }
  });
  if (failures.length > 0) throw failures[0];
}

/**
 * The domain first; then the records in the way of a new one (a CNAME shares its name with
 * nothing), all deleted before any write, so none is refused; then the other record steps in
 * parallel; a domain delete last. A failure between leaves a name without its old record and
 * without the new one: the next deploy plans from there and writes it.
 */
export async function applyDomain(
  ctx: OpContext,
  deployment: Deployment,
  steps: PlanStep[],
): Promise<AppliedStep[]> {
  const domain = deployment.domain?.name.toLowerCase() ?? '';
  const slug = deployment.slug;
  const applied: AppliedStep[] = [];
  for (const step of steps.filter((s) => s.kind === 'domain' && s.action === 'create')) {
    applied.push(await createDomain(ctx, slug, step));
  }
  const recordSteps = steps.filter((s) => s.kind === 'record' && s.action !== 'noop');
  await applyRecords(
    ctx,
    slug,
    domain,
    recordSteps.filter((s) => isClearing(s.payload)),
    applied,
  );
  await applyRecords(
    ctx,
    slug,
    domain,
    recordSteps.filter((s) => !isClearing(s.payload)),
    applied,
  );
  for (const step of steps.filter((s) => s.kind === 'domain' && s.action === 'delete')) {
    applied.push(await deleteDomain(ctx, slug, step));
  }
  return applied;
}
