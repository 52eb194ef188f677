/**
 * The deployment's cloud firewall (`firewallModule`): one firewall named `<slug>-fw`, applied to
 * the droplets tagged `<slug>`, with the manifest's rules (outbound defaults to allow-all).
 */
import type { Firewall } from '@digitalocean/dots';
import type { Deployment } from '../../config/manifest.js';
import { ApiError, createOnce, isNotFound, listAll, toApiError } from '../../do/index.js';
import type { OpContext } from '../../ops/types.js';
import { deleteIdempotently, mutate } from '../mutate.js';
import type { AppliedStep, Check, PlanStep, Readiness, ResourceModule } from '../types.js';
import { accessWarnings } from './exposure.js';
import {
  desiredFirewall,
  destroyFirewall,
  type ExistingFirewall,
  type FirewallActual,
  type FirewallDesired,
  firewallChanges,
  firewallWarnings,
  isLookAlike,
  isOwnedFirewall,
  planFirewall,
} from './plan.js';
import { expandFirewall, flattenFirewall } from './rules.js';

export type { ExistingFirewall, FirewallActual, FirewallDesired } from './plan.js';

function existing(firewall: Firewall): ExistingFirewall {
  return {
    id: firewall.id ?? '',
    name: firewall.name ?? '',
    status: String(firewall.status ?? 'unknown'),
    createdAt: firewall.createdAt?.toISOString(),
    normal: flattenFirewall(firewall),
  };
}

async function listFirewalls(ctx: OpContext): Promise<ExistingFirewall[]> {
  try {
    const all = await listAll(
      async (page, perPage) => {
        const r = await ctx.api.client.v2.firewalls.get({ queryParameters: { page, perPage } });
        return { items: r?.firewalls, links: r?.links, meta: r?.meta };
      },
      { what: 'firewalls' },
    );
    return all.map(existing);
  } catch (error) {
    throw toApiError(error, { action: 'list', resource: 'firewalls' });
  }
}

const oldestFirst = (a: ExistingFirewall, b: ExistingFirewall) =>
  (a.createdAt ?? '').localeCompare(b.createdAt ?? '') || a.id.localeCompare(b.id);

function classify(all: ExistingFirewall[], slug: string): FirewallActual {
  const view = (fw: ExistingFirewall) => ({ name: fw.name, tags: fw.normal.tags });
  return {
    slug,
    owned: all.filter((fw) => isOwnedFirewall(view(fw), slug)).sort(oldestFirst),
    lookAlikes: all.filter((fw) => isLookAlike(view(fw), slug)),
  };
}

async function read(ctx: OpContext, deployment: Deployment): Promise<FirewallActual> {
  return classify(await listFirewalls(ctx), deployment.slug);
}

/**
 * DigitalOcean refuses a firewall naming a tag that does not exist yet, and the firewall may be
 * made before the first droplet brings the tag. The tag is created only when it is missing: whether
 * DigitalOcean answers a create of an existing tag with 201 or with 422 is not known (Ansible's
 * collection reads a 422 there as "exists"), so a 422 is taken to mean the tag appeared meanwhile.
 */
async function ensureTag(ctx: OpContext, slug: string): Promise<void> {
  try {
    await ctx.api.client.v2.tags.byTag_id(slug).get();
    return;
  } catch (error) {
    if (!isNotFound(error)) throw toApiError(error, { action: 'read', resource: `tag ${slug}` });
  }
  try {
    await mutate(ctx, slug, { kind: 'firewall', name: `tag ${slug}`, action: 'create tag' }, () =>
      ctx.api.client.v2.tags.post({ name: slug }),
    );
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 422)) throw error;
  }
}

async function create(ctx: OpContext, slug: string, step: PlanStep): Promise<AppliedStep> {
  const desired = step.payload as FirewallDesired;
  for (const tag of desired.tags) await ensureTag(ctx, tag);
  const { resource, created } = await mutate(
    ctx,
    slug,
    { kind: 'firewall', name: desired.name, action: 'create' },
    () =>
      createOnce({
        what: `firewall ${desired.name}`,
        clock: ctx.clock,
        settleMs: ctx.tuning.pollInitialMs,
        hint: 'Check the firewall rules in deployment.yml.',
        find: async () => classify(await listFirewalls(ctx), slug).owned[0],
        create: async () => {
          const answer = await ctx.api.client.v2.firewalls.post(expandFirewall(desired));
          return existing(answer?.firewall ?? { name: desired.name });
        },
      }),
  );
  return {
    kind: 'firewall',
    action: 'create',
    name: desired.name,
    id: resource.id,
    outcome: 'ok',
    ...(created ? {} : { detail: 'already existed' }),
  };
}

async function update(ctx: OpContext, slug: string, step: PlanStep): Promise<AppliedStep> {
  const desired = step.payload as FirewallDesired;
  // A PUT is idempotent: repeating it after an unclear failure sets the same state again.
  await mutate(ctx, slug, { kind: 'firewall', name: desired.name, action: 'update' }, () =>
    ctx.api.client.v2.firewalls.byFirewall_id(step.id ?? '').put(expandFirewall(desired)),
  );
  return {
    kind: 'firewall',
    action: 'update',
    name: desired.name,
    id: step.id,
    outcome: 'ok',
    detail: step.reason,
  };
}

function remove(ctx: OpContext, slug: string, step: PlanStep): Promise<AppliedStep> {
  return deleteIdempotently(ctx, slug, { kind: 'firewall', name: step.name, id: step.id }, () =>
    ctx.api.client.v2.firewalls.byFirewall_id(step.id ?? '').delete(),
  );
}

async function apply(ctx: OpContext, deployment: Deployment, steps: PlanStep[]): Promise<AppliedStep[]> {
  const applied: AppliedStep[] = [];
  for (const step of steps) {
    if (step.action === 'create') applied.push(await create(ctx, deployment.slug, step));
    if (step.action === 'update') applied.push(await update(ctx, deployment.slug, step));
    if (step.action === 'delete') applied.push(await remove(ctx, deployment.slug, step));
  }
  return applied;
}

/** DigitalOcean applies a change to the covered droplets asynchronously (`waiting` → `succeeded`). */
async function readiness(ctx: OpContext, deployment: Deployment): Promise<Readiness> {
  const ours = (await read(ctx, deployment)).owned[0];
  if (!ours || ours.status === 'succeeded') return { state: 'ready' };
  if (ours.status === 'failed') {
    return { state: 'failed', detail: `DigitalOcean could not apply firewall ${ours.name} to its droplets` };
  }
  return { state: 'pending', detail: `firewall ${ours.name} is ${ours.status}` };
}

async function verify(ctx: OpContext, deployment: Deployment, desired: FirewallDesired): Promise<Check[]> {
  const actual = await read(ctx, deployment);
  const ours = actual.owned[0];
  const changes = ours ? firewallChanges(desired, ours.normal) : [];
  const blocked = actual.lookAlikes.some((fw) => fw.name === desired.name);
  const detail = !ours
    ? blocked
      ? 'missing: a firewall of this name that this tool does not own holds the name'
      : 'missing'
    : changes.length > 0
      ? `differs from the manifest: ${changes.join('; ')}`
      : ours.status === 'failed'
        ? 'DigitalOcean failed to apply it'
        : `rules match, applied to droplets tagged ${desired.tags.join(', ')} (${ours.status})`;
  return [
    {
      kind: 'firewall',
      name: desired.name,
      ok: Boolean(ours) && changes.length === 0 && ours?.status !== 'failed',
      detail,
    },
  ];
}

export const firewallModule: ResourceModule<FirewallDesired, FirewallActual> = {
  kind: 'firewall',
  desired: (deployment) => desiredFirewall(deployment),
  read,
  plan: planFirewall,
  apply,
  destroy: destroyFirewall,
  warnings: (actual, deployment) => [...firewallWarnings(actual), ...accessWarnings(deployment)],
  readiness,
  verify,
};
