/**
 * The account's container registry (`registryModule`). Deploy makes one when the account has none;
 * teardown never deletes it unless asked (`destroyRegistry` with include_registry), because every
 * environment's images live in it.
 */
import type { Registry, Registry_create } from '@digitalocean/dots';
import type { Deployment } from '../../config/manifest.js';
import { createOnce, isNotFound, toApiError } from '../../do/index.js';
import type { OpContext } from '../../ops/types.js';
import { deleteIdempotently, mutate } from '../mutate.js';
import type { AppliedStep, Check, PlanStep, ResourceModule } from '../types.js';
import {
  desiredRegistry,
  type ExistingRegistry,
  planRegistry,
  type RegistryActual,
  type RegistryCreate,
  type RegistryDesired,
  registryWarnings,
} from './plan.js';
import { TAKEN_ON_CREATE_HINT } from './refusals.js';

export {
  type DestroyRegistryOptions,
  destroyRegistry,
  type ExistingRegistry,
  type RegistryActual,
  type RegistryDesired,
  registryName,
} from './plan.js';

function flattenRegistry(registry: Registry | null | undefined): ExistingRegistry | undefined {
  if (!registry?.name) return undefined;
  return {
    name: registry.name,
    region: registry.region ?? undefined,
    tier: registry.subscription?.tier?.slug ?? undefined,
  };
}

/** GET /v2/registry; DigitalOcean answers 404 when the account has none. */
async function fetchRegistry(ctx: OpContext): Promise<ExistingRegistry | undefined> {
  try {
    return flattenRegistry((await ctx.api.client.v2.registry.get())?.registry);
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw toApiError(error, { action: 'read', resource: 'the container registry' });
  }
}

/**
 * POST /v2/registry/validate-name: 204 when the name is free, 409 when anyone holds it (names are
 * global). The answer is only advice: the create can still be refused if someone takes it meanwhile.
 */
async function isNameTaken(ctx: OpContext, name: string): Promise<boolean> {
  try {
    await ctx.api.client.v2.registry.validateName.post({ name });
    return false;
  } catch (error) {
    const failure = toApiError(error, { action: 'check the name of', resource: `registry ${name}` });
    if (failure.status === 409) return true;
    throw failure;
  }
}

/**
 * The account's registry; with none, deploy (the only operation that creates one) also asks whether
 * the manifest's name is free, so a taken name is refused before anything is created, dry runs too.
 */
async function read(ctx: OpContext, deployment: Deployment): Promise<RegistryActual> {
  if (!deployment.registry) return { registry: undefined };
  const registry = await fetchRegistry(ctx);
  if (ctx.op !== 'deploy') return { registry };
  if (registry) return { registry, deploying: true };
  return { registry, deploying: true, nameTaken: await isNameTaken(ctx, deployment.registry.name) };
}

async function create(ctx: OpContext, slug: string, step: PlanStep): Promise<AppliedStep> {
  const body = step.payload as RegistryCreate;
  const { resource, created } = await mutate(
    ctx,
    slug,
    { kind: 'registry', name: body.name, action: 'create' },
    () =>
      // One registry per account: after an unclear failure, whatever registry now exists is the answer.
      createOnce({
        what: `registry ${body.name}`,
        clock: ctx.clock,
        settleMs: ctx.tuning.pollInitialMs,
        hint: TAKEN_ON_CREATE_HINT,
        find: () => fetchRegistry(ctx),
        create: async () => {
          const answer = await ctx.api.client.v2.registry.post(body as Registry_create);
          const fallback = { name: body.name, region: body.region, tier: body.subscriptionTierSlug };
          return flattenRegistry(answer?.registry) ?? fallback;
        },
      }),
  );
  return {
    kind: 'registry',
    action: 'create',
    name: resource.name,
    id: resource.name,
    outcome: 'ok',
    ...(created ? {} : { detail: 'already existed' }),
  };
}

function remove(ctx: OpContext, slug: string, step: PlanStep): Promise<AppliedStep> {
  return deleteIdempotently(ctx, slug, { kind: 'registry', name: step.name, id: step.name }, () =>
    ctx.api.client.v2.registry.delete(),
  );
}

async function apply(ctx: OpContext, deployment: Deployment, steps: PlanStep[]): Promise<AppliedStep[]> {
  const applied: AppliedStep[] = [];
  for (const step of steps) {
    if (step.action === 'create') applied.push(await create(ctx, deployment.slug, step));
    if (step.action === 'delete') applied.push(await remove(ctx, deployment.slug, step));
  }
  return applied;
}

async function verify(ctx: OpContext, _deployment: Deployment, desired: RegistryDesired): Promise<Check[]> {
  const existing = await fetchRegistry(ctx);
  return [
    {
      kind: 'registry',
      name: existing?.name ?? desired.name,
      ok: existing !== undefined,
      detail: existing
        ? `exists in ${existing.region ?? 'an unknown region'} (${existing.tier ?? 'unknown'} tier)`
        : 'the account has no container registry',
    },
  ];
}

export const registryModule: ResourceModule<RegistryDesired, RegistryActual> = {
  kind: 'registry',
  desired: (deployment) => desiredRegistry(deployment),
  read,
  plan: planRegistry,
  apply,
  /** Always empty: the registry is shared by every environment; teardown uses `destroyRegistry`. */
  destroy: () => [],
  warnings: registryWarnings,
  verify,
};
