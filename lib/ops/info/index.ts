import * as z from 'zod';
import { isOwnedByTags } from '../../config/identity.js';
import { commonInputSchema } from '../../config/input.js';
import { listAll } from '../../do/index.js';
import { loadDeployment } from '../deployment.js';
import type { OpContext, Operation } from '../types.js';

const infoInputSchema = commonInputSchema.extend({
  scope: z.enum(['deployment', 'account']).default('deployment'),
});
export type InfoInput = z.output<typeof infoInputSchema>;

export interface DropletInfo {
  id: number;
  name: string;
  status: string;
  ipv4: string | undefined;
  size: string | undefined;
  region: string | undefined;
  tags: string[];
  created_at: string | undefined;
  owned: boolean;
}

export interface AppInfo {
  id: string;
  name: string;
  live_url: string | undefined;
  active_deployment: string | undefined;
  in_progress_phase: string | undefined;
}

export interface InfoResult {
  scope: 'deployment' | 'account';
  droplets: DropletInfo[];
  apps: AppInfo[];
  domains: { name: string; ttl: number | undefined }[];
}

/** Reads what the account (or the deployment) holds, with lists rather than per-item gets. */
async function run(input: InfoInput, ctx: OpContext) {
  const deployment = input.scope === 'deployment' ? loadDeployment(ctx, input.env) : undefined;
  const client = ctx.api.client;
  const [droplets, apps, domains] = await Promise.all([
    listAll(
      async (page, perPage) => {
        const r = await client.v2.droplets.get({
          queryParameters: { page, perPage, ...(deployment ? { tagName: deployment.slug } : {}) },
        });
        return { items: r?.droplets, links: r?.links, meta: r?.meta };
      },
      { what: 'droplets' },
    ),
    listAll(
      async (page, perPage) => {
        const r = await client.v2.apps.get({ queryParameters: { page, perPage } });
        return { items: r?.apps, links: r?.links, meta: r?.meta };
      },
      { what: 'apps' },
    ),
    listAll(
      async (page, perPage) => {
        const r = await client.v2.domains.get({ queryParameters: { page, perPage } });
        return { items: r?.domains, links: r?.links, meta: r?.meta };
      },
      { what: 'domains' },
    ),
  ]);
  const result: InfoResult = {
    scope: input.scope,
    droplets: droplets.map((d) => ({
      id: d.id ?? 0,
      name: d.name ?? '',
      status: String(d.status ?? 'unknown'),
      ipv4: d.networks?.v4?.find((n) => n.type === 'public')?.ipAddress ?? undefined,
      size: d.sizeSlug ?? undefined,
      region: d.region?.slug ?? undefined,
      tags: d.tags ?? [],
      created_at: d.createdAt?.toISOString(),
      owned: deployment ? isOwnedByTags(d.tags, deployment.slug) : false,
    })),
    apps: apps
      .filter((a) => !deployment || a.spec?.name === deployment.slug)
      .map((a) => ({
        id: a.id ?? '',
        name: a.spec?.name ?? '',
        live_url: a.liveUrl ?? undefined,
        active_deployment: a.activeDeployment?.id ?? undefined,
        in_progress_phase: a.inProgressDeployment?.phase ?? undefined,
      })),
    domains: domains
      .filter((d) => !deployment || d.name === deployment.domain?.name)
      .map((d) => ({ name: d.name ?? '', ttl: d.ttl ?? undefined })),
  };
  const warnings = deployment
    ? result.droplets
        .filter((d) => !d.owned)
        .map(
          (d) =>
            `droplet ${d.name} (${d.id}) carries the tag ${deployment.slug} but not the ownership tag: it is not managed by this tool.`,
        )
    : [];
  return {
    status: 'succeeded' as const,
    ...(deployment ? { deployment: deployment.slug } : {}),
    result,
    warnings,
  };
}

export const infoOperation: Operation<InfoInput, InfoResult> = {
  name: 'info',
  summary: 'list what the deployment (or the whole account) holds, with warnings for conflicts',
  mutating: false,
  input: infoInputSchema,
  run,
};
