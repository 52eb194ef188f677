import { describe, expect, it } from 'vitest';
import { planTable } from '../../lib/ops/plan-table.js';
import type { PlanStep } from '../../lib/resources/types.js';

const step = (action: PlanStep['action'], name: string, reason: string): PlanStep =>
  ({ kind: 'droplet', action, name, reason }) as PlanStep;

describe('planTable', () => {
  it('says what an empty plan means for each operation, not that teardown or edit matches the manifest', () => {
    const unchanged = [step('noop', 'base2-staging-1', 'as the manifest says')];
    expect(planTable(unchanged, 'deploy')).toBe('No changes: DigitalOcean already matches the manifest.');
    expect(planTable(unchanged, 'edit')).toBe(
      'No changes: the deployment already has what the edit asks for.',
    );
    expect(planTable([], 'teardown')).toBe(
      'Nothing to delete: DigitalOcean holds nothing of this deployment.',
    );
    for (const op of ['edit', 'teardown'] as const) expect(planTable([], op)).not.toMatch(/manifest/);
  });

  it('lists the changes with a summary, leaving out what stays', () => {
    const table = planTable(
      [step('create', 'base2-staging-2', '(missing)'), step('noop', 'base2-staging-1', 'ok')],
      'deploy',
    );
    expect(table.split('\n')).toEqual([
      '+ create  droplet  base2-staging-2  (missing)',
      'Plan: 1 to create.',
    ]);
  });
});
