import { describe, expect, it } from 'vitest';
import { dropletLimitRefusal, LIMIT_INCREASE_URL, limitNeed } from '../../lib/resources/droplets/limit.js';
import type { ActualDroplets, DropletState } from '../../lib/resources/droplets/model.js';
import type { PlanStep } from '../../lib/resources/types.js';

const need = (over: Partial<Parameters<typeof dropletLimitRefusal>[0]>) => ({
  slug: 'base2-staging',
  limit: 5,
  account: 2,
  owned: 2,
  creates: 2,
  retiring: 2,
  count: 2,
  ...over,
});

describe('the droplet limit check (pure)', () => {
  it('lets a plan through whose peak is within the limit, the limit itself included', () => {
    expect(dropletLimitRefusal(need({ account: 3 }))).toBeUndefined();
    expect(dropletLimitRefusal(need({ creates: 0, account: 9 }))).toBeUndefined();
  });

  it('refuses a replacement that cannot hold both generations, saying the count that would fit', () => {
    const text = dropletLimitRefusal(need({ account: 4, owned: 2, creates: 2, count: 2 }))!;
    expect(text).toBe(
      "The account's droplet limit is 5 and it has 4 droplet(s) (2 of them base2-staging's); this would " +
        'create 2 more, while the 2 droplet(s) of the generation they replace keep serving until the new ones ' +
        'are verified, 6 at the peak. At most 1 new droplet(s) fit now. Delete droplets the account no longer ' +
        `needs, lower droplets.count to 1, or ask DigitalOcean support to raise the limit (${LIMIT_INCREASE_URL}).`,
    );
  });

  it('says no count fits when the account is full, and leaves lowering the count out', () => {
    const text = dropletLimitRefusal(need({ account: 5, creates: 1, retiring: 0, count: 3 }))!;
    expect(text).toContain('No new droplet fits now.');
    expect(text).not.toContain('lower droplets.count');
    expect(text).toContain('this would create 1 more, 6 at the peak');
  });

  it('counts a plan’s creates and the replaced generation from its steps', () => {
    const droplet = (id: number): DropletState => ({
      id,
      name: `base2-staging-aaaaaa-${id}`,
      status: 'active',
      size: 's-1vcpu-1gb',
      region: 'nyc3',
      image: 'debian-12-x64',
      tags: [],
      createdAt: 0,
      publicIpv4: undefined,
      locked: false,
    });
    const actual: ActualDroplets = {
      slug: 'base2-staging',
      owned: [droplet(1), droplet(2)],
      lookalikes: [],
      accountScanned: true,
    };
    const step = (action: PlanStep['action'], payload?: unknown): PlanStep => ({
      kind: 'droplet',
      action,
      name: 'x',
      reason: 'test',
      ...(payload ? { payload } : {}),
    });
    const steps = [
      step('create'),
      step('create'),
      step('create'),
      step('delete', { type: 'retire', generation: 'bbbbbb', successors: [] }),
      step('delete', { type: 'retire', generation: 'bbbbbb', successors: [] }),
      step('noop'),
    ];
    expect(limitNeed('base2-staging', steps, actual, 7, 10, 3)).toEqual({
      slug: 'base2-staging',
      limit: 10,
      account: 7,
      owned: 2,
      creates: 3,
      retiring: 2,
      count: 3,
    });
  });
});
