/**
 * The operations table: one row per operation of lib/ops/index.ts, with a valid input and each input
 * field typed by the kind of value it holds (for the hostile corpus), and for mutating operations
 * the fault points, interruptions and end-state checks (deploy-entry.ts, edit-entry.ts, teardown-entry.ts, maintain-entry.ts).
 * A new operation is one row here.
 */
import { operations } from '../../lib/ops/index.js';
import type { AnyOperation } from '../../lib/ops/types.js';
import { deployEntry } from './deploy-entry.js';
import { editEntry } from './edit-entry.js';
import type { MutatingEntry, OperationEntry } from './entry.js';
import { maintainEntry } from './maintain-entry.js';
import { teardownEntry } from './teardown-entry.js';

const infoEntry: OperationEntry = {
  name: 'info',
  valid: { scope: 'deployment', env: 'staging' },
  fields: { env: 'environment', dry_run: 'boolean', scope: 'scope' },
};

const execEntry: OperationEntry = {
  name: 'exec',
  valid: { env: 'staging', target: 'droplets', command: 'uptime' },
  fields: {
    env: 'environment',
    dry_run: 'boolean',
    target: 'exec_target',
    command: 'command',
    timeout: 'whole_seconds',
    instance: 'instance',
    max_output_bytes: 'bytes',
  },
};

const statusEntry: OperationEntry = {
  name: 'status',
  valid: { env: 'staging' },
  fields: { env: 'environment' },
};

export const MUTATING: readonly MutatingEntry[] = [deployEntry, teardownEntry, editEntry, maintainEntry];
export const ENTRIES: readonly OperationEntry[] = [...MUTATING, infoEntry, execEntry, statusEntry];

/** The registered operation an entry stands for. */
export function operationOf(entry: OperationEntry): AnyOperation {
  const operation = (operations as Record<string, AnyOperation | undefined>)[entry.name];
  if (!operation) throw new Error(`${entry.name} is not registered in lib/ops/index.ts`);
  return operation;
}

interface SchemaNode {
  shape?: Record<string, unknown>;
  _zod?: { def?: { in?: SchemaNode; out?: SchemaNode } };
}

/** The fields of an operation's input schema: its zod object's shape, through pipes and preprocessing. */
export function schemaFields(operation: AnyOperation): string[] {
  const seen = new Set<SchemaNode>();
  const search = (node: SchemaNode | undefined): string[] => {
    if (!node || seen.has(node)) return [];
    seen.add(node);
    if (node.shape) return Object.keys(node.shape);
    const found = search(node._zod?.def?.out);
    return found.length > 0 ? found : search(node._zod?.def?.in);
  };
  return search(operation.input as unknown as SchemaNode);
}
