import type { Droplet } from '@digitalocean/dots';
import { createOnce } from '../../do/index.js';
import type { OpContext } from '../../ops/types.js';
import { mutate } from '../mutate.js';
import { settleAll } from '../settle.js';
import type { AppliedStep } from '../types.js';
import { renderCloudInit } from './cloud-init.js';
import { type CreatePayload, type DropletState, expandCreateRequest, flattenDroplet } from './model.js';
import { type DropletStep, oldestByName } from './plan.js';
import { listOwned } from './read.js';
import { registryCredential } from './registry-credential.js';

/** DigitalOcean creates at most ten droplets per request (`names`). */
export const MAX_NAMES_PER_CREATE = 10;

/** The user_data to send: the manifest's, or the cloud-init with a fresh credential when the image is in DOCR. */
async function userDataToSend(ctx: OpContext, payload: CreatePayload): Promise<string> {
  const userData = payload.userData;
  if (userData.source === 'manifest') return userData.text;
  if (!userData.spec.registryLogin) return userData.template;
  return renderCloudInit(userData.spec, await registryCredential(ctx));
}

interface Batch {
  names: string[];
  payload: CreatePayload;
  userData: string;
  /** The first lookup, shared by every batch of one apply. */
  firstLookup: () => Promise<DropletState[]>;
}

/**
 * Lookup-before-create for up to ten names: only the names still missing are sent, and after an
 * unclear failure (5xx, timeout, dropped answer) the list is read again before anything more is
 * created, so a "commit then fail" leaves exactly one droplet per name.
 */
async function createBatch(ctx: OpContext, slug: string, batch: Batch): Promise<AppliedStep[]> {
  let found = new Map<string, DropletState>();
  let preexisting: Set<string> | undefined;
  const find = async () => {
    const owned = preexisting === undefined ? await batch.firstLookup() : await listOwned(ctx, slug);
    found = oldestByName(owned.filter((d) => batch.names.includes(d.name)));
    preexisting ??= new Set(found.keys());
    return batch.names.every((n) => found.has(n)) ? found : undefined;
  };
  const create = async () => {
    const missing = batch.names.filter((n) => !found.has(n));
    const answer = await mutate(
      ctx,
      slug,
      { kind: 'droplet', name: missing.join(', '), action: 'create' },
      () => ctx.api.client.v2.droplets.post(expandCreateRequest(batch.payload, missing, batch.userData)),
    );
    // dots merges both answer shapes (`droplets` for names, `droplet` for one name) into one object.
    const shapes = answer as { droplets?: Droplet[] | null; droplet?: Droplet | null } | undefined;
    const made = [...(shapes?.droplets ?? []), ...(shapes?.droplet ? [shapes.droplet] : [])];
    const all = new Map(found);
    for (const d of made.map(flattenDroplet)) if (missing.includes(d.name)) all.set(d.name, d);
    return all;
  };
  const { resource } = await createOnce({
    find,
    create,
    what: `droplets ${batch.names.join(', ')}`,
    clock: ctx.clock,
    settleMs: ctx.tuning.pollInitialMs * 2,
  });
  return batch.names.map((name): AppliedStep => {
    const d = resource.get(name);
    const existed = preexisting?.has(name) === true;
    return {
      kind: 'droplet',
      action: 'create',
      name,
      ...(d ? { id: String(d.id) } : {}),
      outcome: existed ? 'skipped' : 'ok',
      ...(existed ? { detail: 'already exists' } : {}),
    };
  });
}

/** Creates the droplets of `steps` (one generation), ten names to a request, batches in parallel. */
export async function createDroplets(
  ctx: OpContext,
  slug: string,
  steps: readonly DropletStep[],
): Promise<AppliedStep[]> {
  const first = steps[0]?.payload;
  if (first?.type !== 'create') return [];
  const payload = first.create;
  const userData = await userDataToSend(ctx, payload);
  let lookup: Promise<DropletState[]> | undefined;
  const firstLookup = () => {
    lookup ??= listOwned(ctx, slug);
    return lookup;
  };
  const names = steps.map((s) => s.name);
  const batches: Batch[] = [];
  for (let i = 0; i < names.length; i += MAX_NAMES_PER_CREATE) {
    batches.push({ names: names.slice(i, i + MAX_NAMES_PER_CREATE), payload, userData, firstLookup });
  }
  // Every batch finishes before a failure is reported: a caller that cleans up after a failure
  // must not read the droplets while another batch's create is still on its way.
  return settleAll(batches.map((b) => createBatch(ctx, slug, b)));
}
