import { createHash } from 'node:crypto';
import type { EmuClock } from '../../core/clock.js';
import { DEFAULT_REGION, findRegion, sizeFacts } from './catalog.js';
import { componentsOf, hasInstances, sourceLabel } from './components.js';
import { type DomainContext, renderDomains } from './domains.js';
import type { AppRecord, DeploymentRecord } from './model.js';
import { progressAt } from './progress.js';
import type { SecretBox } from './secrets.js';
import { sealSpec } from './spec-parse.js';
import type { AppSpec } from './spec-schema.js';
import { activeDeployment, inProgressDeployment, phaseAt, wentLive } from './timeline.js';

export interface ViewContext {
  box: SecretBox;
  clock: EmuClock;
  baseUrl(): string;
  ownerUuid(): string;
  domains: DomainContext;
}

/** The loopback URL the emulator serves an app's live traffic on (stands in for its public URL). */
export function liveUrlOf(baseUrl: string, appId: string): string {
  return `${baseUrl}/_emulator/live/${appId}/`;
}

function hashHex(seed: string, length: number): string {
  return createHash('sha256').update(seed).digest('hex').slice(0, length);
}

function uuidFrom(seed: string): string {
  const h = hashHex(seed, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** App Platform bills an app at the highest tier any of its components' sizes belongs to. */
export function tierOf(spec: AppSpec): string {
  const professional = componentsOf(spec).some(
    (c) => hasInstances(c.kind) && sizeFacts(c.spec.instance_size_slug ?? '')?.tier === 'professional',
  );
  return professional ? 'professional' : 'basic';
}

export function renderDeployment(
  v: ViewContext,
  app: AppRecord,
  d: DeploymentRecord,
  t: number,
): Record<string, unknown> {
  const { phase, since } = phaseAt(app, d, t);
  const lists: Record<string, Record<string, unknown>[]> = {};
  for (const c of componentsOf(d.spec)) {
    const entry: Record<string, unknown> = { name: c.name };
    // Images have no commit; source components report the commit their build used.
    if (!c.spec.image) entry.source_commit_hash = hashHex(`${sourceLabel(c.spec)}:${d.id}`, 40);
    lists[c.list] = [...(lists[c.list] ?? []), entry];
  }
  return {
    id: d.id,
    spec: sealSpec(v.box, app.id, d.spec),
    ...lists,
    phase,
    phase_last_updated_at: v.clock.iso(since),
    created_at: v.clock.iso(d.createdAt),
    updated_at: v.clock.iso(since),
    cause: d.cause,
    progress: progressAt(d, t),
    tier_slug: tierOf(d.spec),
    ...(d.clonedFrom ? { cloned_from: d.clonedFrom } : {}),
  };
}

export interface AppViewOptions {
  withProjectId: boolean;
  /** The deployment this request created (create and update answer it as `pending_deployment`). */
  created?: DeploymentRecord;
}

export function renderApp(
  v: ViewContext,
  app: AppRecord,
  t: number,
  options: AppViewOptions,
): Record<string, unknown> {
  const active = activeDeployment(app, t);
  const inProgress = inProgressDeployment(app, t);
  const pending =
    options.created ??
    (inProgress && phaseAt(app, inProgress, t).phase === 'PENDING_BUILD' ? inProgress : undefined);
  const everLive = app.deployments.some((d) => wentLive(d, t));
  const primary = app.spec.domains?.find((d) => d.type === 'PRIMARY')?.domain;
  const pinned = app.pin && app.deployments.find((d) => d.id === app.pin!.deploymentId);
  const region = findRegion(app.spec.region ?? DEFAULT_REGION);
  const deployment = (d: DeploymentRecord) => renderDeployment(v, app, d, t);
  const live = liveUrlOf(v.baseUrl(), app.id);
  return {
    id: app.id,
    owner_uuid: v.ownerUuid(),
    spec: sealSpec(v.box, app.id, app.spec),
    ...(everLive
      ? { default_ingress: `https://${app.ingressHost}`, live_domain: primary ?? app.ingressHost }
      : {}),
    created_at: v.clock.iso(app.createdAt),
    updated_at: v.clock.iso(app.updatedAt),
    ...(active ? { active_deployment: deployment(active), live_url: live, live_url_base: live } : {}),
    ...(inProgress ? { in_progress_deployment: deployment(inProgress) } : {}),
    ...(pending ? { pending_deployment: deployment(pending) } : {}),
    ...(app.deployments.length
      ? { last_deployment_created_at: v.clock.iso(app.deployments.at(-1)!.createdAt) }
      : {}),
    ...(region ? { region } : {}),
    tier_slug: tierOf(app.spec),
    ...(options.withProjectId && app.projectId ? { project_id: app.projectId } : {}),
    domains: renderDomains(v.domains, app, t, {
      idOf: (host) => uuidFrom(`${app.id}:${host}`),
      iso: (ms) => v.clock.iso(ms),
    }),
    ...(pinned ? { pinned_deployment: deployment(pinned) } : {}),
  };
}
