import type { PlanStep } from '../resources/types.js';

const SYMBOL: Record<PlanStep['action'], string> = {
  create: '+',
  update: '~',
  replace: '±',
  delete: '-',
  noop: '=',
};

/** What a plan without changes says, by operation: each does something else with the manifest. */
const NO_CHANGES = {
  deploy: 'No changes: DigitalOcean already matches the manifest.',
  edit: 'No changes: the deployment already has what the edit asks for.',
  teardown: 'Nothing to delete: DigitalOcean holds nothing of this deployment.',
} as const;

/** The plan as a person reads it: one line per step, `+ droplet base2-staging-… (missing)`. */
export function planTable(steps: readonly PlanStep[], op: keyof typeof NO_CHANGES): string {
  const changes = steps.filter((s) => s.action !== 'noop');
  if (changes.length === 0) return NO_CHANGES[op];
  const kindWidth = Math.max(...changes.map((s) => s.kind.length));
  const nameWidth = Math.max(...changes.map((s) => s.name.length));
  const lines = changes.map(
    (s) =>
      `${SYMBOL[s.action]} ${s.action.padEnd(7)} ${s.kind.padEnd(kindWidth)}  ${s.name.padEnd(nameWidth)}  ${s.reason}`,
  );
  const counts = countBy(changes.map((s) => s.action));
  const summary = Object.entries(counts)
    .map(([action, n]) => `${n} to ${action}`)
    .join(', ');
  return [...lines, `Plan: ${summary}.`].join('\n');
}

/** Steps without their payloads (a payload is apply's business and may be large). */
export function planJson(steps: readonly PlanStep[]): Omit<PlanStep, 'payload'>[] {
  return steps.map(({ payload: _payload, ...rest }) => rest);
}

function countBy(values: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}
