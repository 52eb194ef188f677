import { describe, expect, it } from 'vitest';
import { OWNER_TAG } from '../../lib/config/identity.js';
import { holderName } from '../../lib/lock/index.js';
import { appStatus, dropletStatus, lockStatus, stateOf } from '../../lib/ops/status/summary.js';
import type { AppState } from '../../lib/resources/app/index.js';
import type { DropletState } from '../../lib/resources/droplets/index.js';

const SLUG = 'base2-staging';
const droplet = (name: string, status: string): DropletState => ({
  id: 1,
  name,
  status,
  size: 's-1vcpu-1gb',
  region: 'nyc3',
  image: 'debian-12-x64',
  tags: [SLUG, OWNER_TAG],
  createdAt: 1,
  publicIpv4: undefined,
  locked: false,
});
const deployment = (id: string, phase: string, success: number, total: number) => ({
  id,
  phase,
  progress: { success, total, error: 0, steps: [] },
});

describe('status, pure', () => {
  it('reads who holds the lock, until when, and whether the holder stopped renewing it', () => {
    expect(lockStatus(undefined, 0)).toEqual({ held: false });
    const holder = {
      op: 'deploy',
      holder: '3f9a0c1d',
      since: Date.UTC(2025, 4, 1, 10),
      until: Date.UTC(2025, 4, 1, 10, 2),
    };
    const key = { id: 7, name: holderName(SLUG, holder), holder };
    expect(lockStatus(key, Date.UTC(2025, 4, 1, 10, 1))).toEqual({
      held: true,
      name: key.name,
      op: 'deploy',
      since: '2025-05-01T10:00:00.000Z',
      until: '2025-05-01T10:02:00.000Z',
      expired: false,
    });
    expect(lockStatus(key, Date.UTC(2025, 4, 1, 10, 3)).expired).toBe(true);
    const paused = { ...holder, paused: true };
    const kept = lockStatus(
      { id: 9, name: holderName(SLUG, paused), holder: paused },
      Date.UTC(2025, 4, 1, 10, 1),
    );
    expect(kept).toMatchObject({ held: true, op: 'deploy', paused: true, expired: false });
    expect(stateOf({ lock: kept })).toMatch(
      /^locked by deploy \(until .*\), paused between two of its calls/,
    );
    expect(lockStatus({ id: 8, name: 'renamed by hand', holder: undefined }, 0)).toEqual({
      held: true,
      name: 'renamed by hand',
    });
  });

  it("sums up the app: live URL, active deployment, and an in-progress deployment's progress", () => {
    expect(appStatus({ lookAlikes: [] })).toEqual({ exists: false });
    const app: AppState = {
      id: 'app-1',
      name: SLUG,
      spec: { name: SLUG },
      liveUrl: 'https://base2-staging.ondigitalocean.app',
      active: deployment('d1', 'ACTIVE', 6, 6),
      inProgress: deployment('d2', 'BUILDING', 2, 8),
    } as AppState;
    expect(appStatus({ app, lookAlikes: [] })).toEqual({
      exists: true,
      id: 'app-1',
      live_url: 'https://base2-staging.ondigitalocean.app',
      active_deployment: 'd1',
      in_progress: {
        id: 'd2',
        phase: 'BUILDING',
        steps_done: 2,
        steps_total: 8,
        steps_failed: 0,
        fraction: 0.25,
      },
    });
  });

  it('counts droplets by status and generation', () => {
    const status = dropletStatus({
      slug: SLUG,
      owned: [
        droplet(`${SLUG}-aaaaaa-1`, 'active'),
        droplet(`${SLUG}-aaaaaa-2`, 'active'),
        droplet(`${SLUG}-bbbbbb-1`, 'new'),
      ],
      lookalikes: [{ droplet: droplet(`${SLUG}-x`, 'active'), why: 'tag' }],
      accountScanned: true,
    });
    expect(status).toEqual({ total: 3, by_status: { active: 2, new: 1 }, generations: 2, lookalikes: 1 });
  });

  it('says in one line what is going on', () => {
    const free = { held: false };
    expect(stateOf({ lock: free })).toBe('not deployed');
    expect(
      stateOf({
        app: { exists: false },
        droplets: { total: 0, by_status: {}, generations: 0, lookalikes: 0 },
        lock: free,
      }),
    ).toBe('not deployed');
    expect(stateOf({ app: { exists: true, active_deployment: 'd1' }, lock: free })).toBe('steady');
    const busy = stateOf({
      app: {
        exists: true,
        in_progress: { id: 'd2', phase: 'DEPLOYING', steps_done: 5, steps_total: 6, steps_failed: 0 },
      },
      droplets: { total: 4, by_status: { active: 2, new: 2 }, generations: 2, lookalikes: 0 },
      lock: { held: true, op: 'deploy', until: '2025-05-01T10:02:00.000Z' },
    });
    expect(busy).toBe(
      'locked by deploy (until 2025-05-01T10:02:00.000Z); app deployment d2 DEPLOYING 5/6 steps; 2 droplet(s) booting; 2 droplet generations side by side',
    );
  });
});
