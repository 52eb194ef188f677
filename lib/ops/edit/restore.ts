/**
 * Undoing a failed edit, part by part, from DigitalOcean's state as it is now: the app gets its
 * previous spec back (PUT, SECRET values in their encrypted form) and that version is waited for
 * and verified live; the droplets are planned back to their previous count, size and generation
 * (created ones deleted, resized ones resized back); added records are deleted and removed ones
 * written again. Each part reports whether it is back, verified.
 *
 * Why PUT and not App Platform's rollback: when only the new deployment failed, the previous one is
 * still live and rollback refuses a target that is already active, yet the app's spec holds the
 * failed change, which the next deploy or edit would build on. Putting the previous spec back
 * restores both, whether the failure came from the build, the deploy or verification.
 */
import type { Deployment } from '../../config/manifest.js';
import { isToolError } from '../../errors.js';
import { appModule, findApp, liveCheck } from '../../resources/app/index.js';
import { domainModule } from '../../resources/domain/index.js';
import { listRecords } from '../../resources/domain/read.js';
import { sameKey } from '../../resources/domain/records.js';
import { dropletsModule, parseDropletName, planDroplets } from '../../resources/droplets/index.js';
import { waitUntilDeleted } from '../../resources/droplets/wait-deleted.js';
import type { Check, PlanStep } from '../../resources/types.js';
import { waitFor } from '../../resources/wait.js';
import type { OpContext } from '../types.js';
import type { AppEdit } from './app-edit.js';
import type { Attempted } from './apply.js';
import type { DropletEdit } from './droplets-edit.js';
import type { EditPlan } from './plan.js';
import { createStep, deleteStep, type RecordEdit } from './records-edit.js';
import { verifyDropletEdit, verifyRecordEdit } from './verify.js';

export interface RestoreOutcome {
  ok: boolean;
  details: string[];
}

type Part = { ok: boolean; detail: string };

const summary = (checks: Check[]) =>
  checks.map((c) => `${c.ok ? '✓' : '✗'} ${c.name}: ${c.detail}`).join('; ');

async function restoreApp(ctx: OpContext, deployment: Deployment, edit: AppEdit): Promise<Part> {
  const app = await findApp(ctx, deployment.slug);
  if (!app) return { ok: false, detail: 'app: it no longer exists, so there is nothing to put back' };
  const step: PlanStep = {
    kind: 'app',
    action: 'update',
    name: app.name,
    id: app.id,
    reason: 'restore the spec from before the edit',
    payload: { spec: edit.previous.spec },
  };
  await appModule.apply(ctx, deployment, [step]);
  const state = await waitFor(ctx, 'restoring the app', () =>
    appModule.readiness!(ctx, deployment, edit.previous),
  );
  if (state.state === 'pending') {
    // The failed deployment never went live: if the version from before the edit still serves,
    // nothing of the edit remains, and DigitalOcean is only redeploying the same spec.
    const now = await findApp(ctx, deployment.slug);
    const live =
      now && now.active?.id === edit.activeBefore ? await liveCheck(ctx, now, edit.previous) : undefined;
    if (live?.ok) {
      return {
        ok: true,
        detail: `app: the previous spec is back and the version from before the edit (deployment ${edit.activeBefore}) is still the live one (${live.detail}); DigitalOcean is redeploying that same spec (${state.detail})`,
      };
    }
    return {
      ok: false,
      detail: `app: the previous spec is back, its deployment still running when time ran out (${state.detail})`,
    };
  }
  if (state.state === 'failed')
    return { ok: false, detail: `app: the previous spec is back, but ${state.detail}` };
  const checks = await appModule.verify(ctx, deployment, edit.previous);
  const ok = checks.every((c) => c.ok);
  return { ok, detail: `app: the previous spec is back${ok ? ' and live' : ''} (${summary(checks)})` };
}

/**
 * Before the droplets are planned back, what the edit deleted must be gone: DigitalOcean lists a
 * deleted droplet, still `active`, for a while, and planning from that listing would take it for
 * one that serves and not create it again. A delete whose answer was lost is waited for until it
 * shows whether it happened (gone, or still there after a deletion would have finished).
 */
async function settleDeletions(ctx: OpContext, deployment: Deployment): Promise<Part | undefined> {
  const state = await waitUntilDeleted(ctx, deployment.slug, 'all');
  if (state.state === 'ready') return undefined;
  return { ok: false, detail: `droplets: not back yet (${state.detail})` };
}

async function restoreDroplets(ctx: OpContext, deployment: Deployment, edit: DropletEdit): Promise<Part> {
  const deleting = await settleDeletions(ctx, deployment);
  if (deleting) return deleting;
  const actual = await dropletsModule.read(ctx, deployment);
  const steps = planDroplets(edit.previous, actual).filter((s) => s.action !== 'noop');
  const applied = steps.length > 0 ? await dropletsModule.apply(ctx, deployment, steps) : [];
  const state = await waitFor(ctx, 'restoring the droplets', () =>
    dropletsModule.readiness!(ctx, deployment, edit.previous),
  );
  if (state.state !== 'ready') return { ok: false, detail: `droplets: not back yet (${state.detail})` };
  const checks = await verifyDropletEdit(ctx, deployment, edit.previous);
  const ok = checks.every((c) => c.ok) && applied.every((a) => a.outcome !== 'failed');
  const undone = applied
    .filter((a) => a.outcome === 'ok')
    .map((a) => `${a.action} ${a.name}${a.detail ? ` (${a.detail})` : ''}`);
  return { ok, detail: `droplets: ${undone.length ? `${undone.join(', ')}; ` : ''}${summary(checks)}` };
}

async function restoreRecords(ctx: OpContext, deployment: Deployment, edit: RecordEdit): Promise<Part> {
  const now = (await listRecords(ctx, edit.domain)) ?? [];
  const steps: PlanStep[] = [
    ...edit.added.flatMap((r) =>
      now
        .filter((x) => sameKey(x, r) && x.data === r.data)
        .map((x) => deleteStep(x, 'added by the failed edit')),
    ),
    ...edit.removed
      .filter((r) => !now.some((x) => sameKey(x, r) && x.data === r.data))
      .map((r) => createStep(edit.domain, r, 'removed by the failed edit')),
  ];
  if (steps.length > 0) await domainModule.apply(ctx, deployment, steps);
  const checks = await verifyRecordEdit(ctx, { ...edit, added: edit.removed, removed: [] });
  const gone = ((await listRecords(ctx, edit.domain)) ?? []).filter((x) =>
    edit.added.some((r) => sameKey(x, r) && x.data === r.data),
  );
  const ok = checks.every((c) => c.ok) && gone.length === 0;
  return {
    ok,
    detail: `records: ${steps.length} step(s) undone; ${ok ? 'as before the edit' : 'not as before the edit'}`,
  };
}

/**
 * A later call of the edit found the app's deployment failed: the droplets an earlier call created
 * for the new generation are not in this call's own record, so they are found by their generation
 * (in their names) and removed, as long as a generation from before the edit is still there.
 */
async function removeNewGeneration(ctx: OpContext, deployment: Deployment, edit: DropletEdit): Promise<Part> {
  const actual = await dropletsModule.read(ctx, deployment);
  const generationOf = (name: string) => parseDropletName(name, actual.slug)?.generation;
  const created = actual.owned.filter((d) => generationOf(d.name) === edit.next.generation);
  if (created.length === 0) return { ok: true, detail: 'droplets: the edit had created none' };
  // No other generation: the edit did not replace the droplets, so there is nothing to take back.
  if (!actual.owned.some((d) => generationOf(d.name) !== edit.next.generation)) {
    return { ok: true, detail: 'droplets: unchanged by the edit' };
  }
  const steps: PlanStep[] = created.map((d) => ({
    kind: 'droplet',
    action: 'delete',
    name: d.name,
    id: String(d.id),
    reason: 'created by an edit that failed',
  }));
  await dropletsModule.apply(ctx, deployment, steps);
  return {
    ok: true,
    detail: `droplets: removed the ${created.length} the edit had created (${created.map((d) => d.name).join(', ')})`,
  };
}

async function safely(part: string, work: () => Promise<Part>): Promise<Part> {
  try {
    return await work();
  } catch (error) {
    return { ok: false, detail: `${part}: ${isToolError(error) ? error.describe() : String(error)}` };
  }
}

export async function restoreEdit(
  ctx: OpContext,
  deployment: Deployment,
  plan: EditPlan,
  attempted: Attempted,
): Promise<RestoreOutcome> {
  ctx.progress({ step: 'restoring the state from before the edit' });
  const { app, droplets, records } = plan;
  const parts = await Promise.all([
    app && (attempted.app || app.continuing)
      ? safely('app', () => restoreApp(ctx, deployment, app))
      : undefined,
    droplets && attempted.droplets
      ? safely('droplets', () => restoreDroplets(ctx, deployment, droplets))
      : droplets && app?.continuing
        ? safely('droplets', () => removeNewGeneration(ctx, deployment, droplets))
        : undefined,
    records && attempted.records
      ? safely('records', () => restoreRecords(ctx, deployment, records))
      : undefined,
  ]);
  const done = parts.filter((p): p is Part => p !== undefined);
  if (done.length === 0) return { ok: true, details: ['nothing had changed'] };
  return { ok: done.every((p) => p.ok), details: done.map((p) => p.detail) };
}
