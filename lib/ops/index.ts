import { deployOperation } from './deploy/index.js';
import { editOperation } from './edit/index.js';
import { execOperation } from './exec/index.js';
import { infoOperation } from './info/index.js';
import { maintainOperation } from './maintain/index.js';
import { statusOperation } from './status/index.js';
import { teardownOperation } from './teardown/index.js';
import type { AnyOperation } from './types.js';

export type OperationName = 'deploy' | 'teardown' | 'edit' | 'maintain' | 'info' | 'exec' | 'status';

/** Every operation, by name: the CLI, the demo and the tests resolve operations here. */
export const operations: Record<OperationName, AnyOperation> = {
  deploy: deployOperation,
  teardown: teardownOperation,
  edit: editOperation,
  maintain: maintainOperation,
  info: infoOperation,
  exec: execOperation,
  status: statusOperation,
};
