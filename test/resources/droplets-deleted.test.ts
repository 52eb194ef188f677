import { describe, expect, it } from 'vitest';
import { deletionReadiness, TYPICAL_DELETE_MS } from '../../lib/resources/droplets/wait-deleted.js';

const accepted = (id: number, sentAt = 0) => ({ id, name: `web-${id}`, sentAt, accepted: true });
const unclear = (id: number, sentAt = 0) => ({ id, name: `web-${id}`, sentAt, accepted: false });

describe('waiting for deleted droplets to be gone (pure)', () => {
  it('is ready once none of the deleted droplets is listed', () => {
    expect(deletionReadiness([accepted(1), accepted(2)], new Set([3]), 5_000)).toEqual({
      state: 'ready',
      kept: [],
    });
  });

  it('waits while DigitalOcean still lists one, however long, and says which and when to look again', () => {
    const state = deletionReadiness([accepted(1), accepted(2)], new Set([2, 3]), 5_000);
    expect(state).toMatchObject({
      state: 'pending',
      detail: 'DigitalOcean still lists 1 of 2 deleted droplet(s) (web-2)',
      fraction: 0.5,
      etaMs: TYPICAL_DELETE_MS - 5_000,
    });
    expect(deletionReadiness([accepted(2)], new Set([2]), 10 * 60_000)).toMatchObject({
      state: 'pending',
      etaMs: 0,
    });
  });

  it('takes a droplet whose delete went unanswered as not deleted once a deletion would have finished', () => {
    expect(deletionReadiness([unclear(1)], new Set([1]), 59_000, 60_000)).toMatchObject({
      state: 'pending',
      kept: [],
    });
    expect(deletionReadiness([unclear(1)], new Set([1]), 60_000, 60_000)).toEqual({
      state: 'ready',
      kept: [1],
    });
    expect(deletionReadiness([unclear(1)], new Set(), 1_000, 60_000)).toEqual({ state: 'ready', kept: [] });
  });
});
