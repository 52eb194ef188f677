/** Pure: a deployment's state, from one read of its app, its droplets and the account's keys. */

import type { LockKey } from '../../lock/index.js';
import type { AppActual } from '../../resources/app/index.js';
import type { ActualDroplets } from '../../resources/droplets/index.js';
import { parseDropletName } from '../../resources/droplets/index.js';

export interface AppStatus {
  exists: boolean;
  id?: string;
  live_url?: string;
  active_deployment?: string;
  /** The deployment App Platform is working on (building, deploying), with its progress. */
  in_progress?: {
    id: string;
    phase: string;
    steps_done: number;
    steps_total: number;
    steps_failed: number;
    fraction?: number;
  };
}

export interface DropletStatus {
  /** Owned droplets (both tags). */
  total: number;
  by_status: Record<string, number>;
  /** Droplet generations present: more than one while an image change is under way (or was cut short). */
  generations: number;
  /** Droplets that look like the deployment's but are not owned: never touched. */
  lookalikes: number;
}

export interface LockStatus {
  held: boolean;
  /** The lock key's name, which says who holds it and until when. */
  name?: string;
  /** The operation holding it (deploy, edit, teardown, maintain). */
  op?: string;
  since?: string;
  until?: string;
  /** Its holder stopped renewing it: the next mutating operation takes it over. */
  expired?: boolean;
  /** Kept between two calls of its operation (it answered in_progress), for the call that continues it. */
  paused?: boolean;
}

export interface StatusResult {
  /** One line: steady, not deployed, or what is under way. */
  state: string;
  app?: AppStatus;
  droplets?: DropletStatus;
  lock: LockStatus;
}

export function appStatus(actual: AppActual): AppStatus {
  const app = actual.app;
  if (!app) return { exists: false };
  const running = app.inProgress;
  const progress = running?.progress;
  return {
    exists: true,
    id: app.id,
    ...(app.liveUrl || app.defaultIngress ? { live_url: app.liveUrl ?? app.defaultIngress } : {}),
    ...(app.active ? { active_deployment: app.active.id } : {}),
    ...(running && progress
      ? {
          in_progress: {
            id: running.id,
            phase: running.phase,
            steps_done: progress.success,
            steps_total: progress.total,
            steps_failed: progress.error,
            ...(progress.total > 0 ? { fraction: progress.success / progress.total } : {}),
          },
        }
      : {}),
  };
}

export function dropletStatus(actual: ActualDroplets): DropletStatus {
  const byStatus: Record<string, number> = {};
  const generations = new Set<string>();
  for (const d of actual.owned) {
    byStatus[d.status] = (byStatus[d.status] ?? 0) + 1;
    generations.add(parseDropletName(d.name, actual.slug)?.generation ?? d.name);
  }
  return {
    total: actual.owned.length,
    by_status: byStatus,
    generations: generations.size,
    lookalikes: actual.lookalikes.length,
  };
}

export function lockStatus(key: LockKey | undefined, now: number): LockStatus {
  if (!key) return { held: false };
  const holder = key.holder;
  if (!holder) return { held: true, name: key.name };
  return {
    held: true,
    name: key.name,
    op: holder.op,
    since: new Date(holder.since).toISOString(),
    until: new Date(holder.until).toISOString(),
    expired: holder.until <= now,
    ...(holder.paused ? { paused: true } : {}),
  };
}

export function stateOf(result: Omit<StatusResult, 'state'>): string {
  const { app, droplets, lock } = result;
  const parts: string[] = [];
  if (lock.held) {
    const who = lock.op ? `${lock.op} (until ${lock.until})` : `SSH key "${lock.name}"`;
    const paused = lock.paused ? ', paused between two of its calls' : '';
    parts.push(lock.expired ? `lock of ${who} expired: its holder stopped` : `locked by ${who}${paused}`);
  }
  if (app?.in_progress) {
    const p = app.in_progress;
    const steps = p.steps_total > 0 ? ` ${p.steps_done}/${p.steps_total} steps` : '';
    parts.push(`app deployment ${p.id} ${p.phase}${steps}`);
  }
  const booting = droplets?.by_status.new ?? 0;
  if (booting > 0) parts.push(`${booting} droplet(s) booting`);
  if (droplets && droplets.generations > 1)
    parts.push(`${droplets.generations} droplet generations side by side`);
  if (parts.length > 0) return parts.join('; ');
  const nothing = !app?.exists && (droplets?.total ?? 0) === 0;
  return nothing ? 'not deployed' : 'steady';
}
