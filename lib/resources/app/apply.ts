/**
 * The only place App Platform is changed. Creates rely on DigitalOcean's own guarantee that an app
 * name is unique in the account (a second create answers 409), and every create, update, new
 * deployment and delete is audited through `mutate`.
 */
import type { AppSpec } from '../../config/app-spec.js';
import type { Deployment } from '../../config/manifest.js';
import { ApiError, createOnce } from '../../do/index.js';
import { ConflictError, OperationError } from '../../errors.js';
import type { OpContext } from '../../ops/types.js';
import { deleteIdempotently, mutate } from '../mutate.js';
import type { AppliedStep, PlanStep } from '../types.js';
import { ownershipOf, ownershipRefusal } from './ownership.js';
import { findApp, rememberApp, toAppState, toDeploymentState } from './read.js';
import { specDifferences } from './spec-compare.js';
import { expandSpec } from './spec-wire.js';
import type { AppPayload, AppState } from './types.js';

/** AppliedStep.detail of a step that started a deployment: readiness follows the newest one. */
function startedDetail(deploymentId: string | undefined, before = ''): string {
  const started = deploymentId ? `started deployment ${deploymentId}` : 'no new deployment';
  return before ? `${before}; ${started}` : started;
}

function applied(step: PlanStep, id: string, detail: string): AppliedStep {
  return { kind: 'app', action: step.action, name: step.name, id, outcome: 'ok', detail };
}

async function updateSpec(ctx: OpContext, slug: string, id: string, spec: AppSpec): Promise<AppState> {
  const target = { kind: 'app' as const, name: slug, action: 'update' };
  const r = await mutate(ctx, slug, target, () =>
    ctx.api.client.v2.apps.byApp_Id(id).put({ spec: expandSpec(spec) }),
  );
  const app = r?.app ? toAppState(r.app) : undefined;
  if (app) rememberApp(ctx, app);
  return app ?? { id, name: slug, spec };
}

const FOUND = 'already existed (made by an earlier or concurrent deploy)';

/**
 * An app found where the plan saw none (made by an earlier attempt whose answer was lost, or by a
 * deploy running at the same time) is brought to the desired spec if it holds another — but only
 * when it carries the tool's proof of ownership (./ownership.ts): one made by hand in between is
 * refused, untouched, like any app with the deployment's name the tool did not make.
 */
async function settleExisting(
  ctx: OpContext,
  slug: string,
  spec: AppSpec,
  existing: AppState,
  note = FOUND,
  adopt = false,
) {
  const ownership = ownershipOf(existing, spec, adopt);
  if (ownership.state === 'unproven') {
    throw new ConflictError(
      `Could not create app ${slug}: ${ownershipRefusal(existing, ownership.why, 'deploy')}`,
    );
  }
  if (specDifferences(spec, existing.spec).length === 0) return { app: existing, note };
  const app = await updateSpec(ctx, slug, existing.id, spec);
  return { app, note: `${note || 'created'} with another spec: updated it` };
}

/**
 * A 409 means an app with exactly this name exists: DigitalOcean's atomic guarantee. If no such app
 * is visible to this token, the name is held where the tool cannot see it, and nothing is touched.
 */
async function adoptExisting(ctx: OpContext, slug: string, spec: AppSpec, refusal: ApiError, adopt: boolean) {
  const existing = await findApp(ctx, slug);
  if (!existing) {
    throw new ConflictError(
      `Could not create app ${slug}: DigitalOcean says the name is taken (409${refusal.doId ? ` ${refusal.doId}` : ''}` +
        `${refusal.requestId ? `, request ${refusal.requestId}` : ''}), but no app of that name is visible to ` +
        'this token, so the tool cannot tell whose it is and leaves it alone.',
      { hint: 'Check which team the token belongs to, or choose another deployment name or environment.' },
    );
  }
  return settleExisting(ctx, slug, spec, existing, FOUND, adopt);
}

/** An answer without the app is unusual but not a failure: the app is found by its name. */
async function findCreated(ctx: OpContext, slug: string): Promise<AppState> {
  const app = await findApp(ctx, slug);
  if (app) return app;
  throw new OperationError(`DigitalOcean accepted the create of app ${slug}, but the app cannot be found.`, {
    hint: 'Run deploy again: it looks the app up by name before creating anything.',
  });
}

async function create(ctx: OpContext, step: PlanStep, spec: AppSpec, adopt: boolean): Promise<AppliedStep> {
  const slug = step.name;
  const post = () =>
    mutate(ctx, slug, { kind: 'app', name: slug, action: 'create' }, () =>
      ctx.api.client.v2.apps.post({ spec: expandSpec(spec) }),
    );
  try {
    const { resource, created } = await createOnce<AppState>({
      what: `app ${slug}`,
      clock: ctx.clock,
      find: () => findApp(ctx, slug),
      create: async () => {
        const r = await post();
        if (!r?.app?.id) return await findCreated(ctx, slug);
        const app = toAppState(r.app);
        rememberApp(ctx, app);
        return app;
      },
      hint: 'Check the app spec and the region in deployment.yml.',
    });
    // Even an app this call made is compared: after a lost answer it was found by name, not returned.
    const { app, note } = await settleExisting(ctx, slug, spec, resource, created ? '' : FOUND, adopt);
    return applied(step, app.id, startedDetail(app.inProgress?.id, note));
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 409) throw error;
    const { app, note } = await adoptExisting(ctx, slug, spec, error, adopt);
    return applied(step, app.id, startedDetail(app.inProgress?.id, note));
  }
}

async function update(ctx: OpContext, step: PlanStep, payload: AppPayload): Promise<AppliedStep> {
  const slug = step.name;
  const id = step.id!;
  if (!payload.redeploy) {
    const app = await updateSpec(ctx, slug, id, payload.spec);
    return applied(step, id, startedDetail(app.inProgress?.id, 'spec updated'));
  }
  const r = await mutate(ctx, slug, { kind: 'app', name: slug, action: 'deploy' }, () =>
    ctx.api.client.v2.apps.byApp_Id(id).deployments.post({}),
  );
  return applied(step, id, startedDetail(toDeploymentState(r?.deployment)?.id, 'deployed the spec again'));
}

/** Already gone is what a delete wants: a second teardown, or one that raced this one. */
function remove(ctx: OpContext, step: PlanStep): Promise<AppliedStep> {
  const id = step.id!;
  return deleteIdempotently(ctx, step.name, { kind: 'app', name: step.name, id }, () =>
    ctx.api.client.v2.apps.byApp_Id(id).delete(),
  );
}

export async function applyApp(
  ctx: OpContext,
  deployment: Deployment,
  steps: PlanStep[],
): Promise<AppliedStep[]> {
  const done: AppliedStep[] = [];
  const adopt = deployment.appProof?.adopt === true;
  for (const step of steps) {
    const payload = step.payload as AppPayload | undefined;
    if (step.action === 'create' && payload && !payload.redeploy)
      done.push(await create(ctx, step, payload.spec, adopt));
    else if (step.action === 'update' && payload && step.id) done.push(await update(ctx, step, payload));
    else if (step.action === 'delete' && step.id) done.push(await remove(ctx, step));
  }
  return done;
}
