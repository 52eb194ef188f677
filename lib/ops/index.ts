import { deployOperation } from './deploy/index.js';
import { execOperation } from './exec/index.js';
import { infoOperation } from './info/index.js';
import { teardownOperation } from './teardown/index.js';
import type { AnyOperation } from './types.js';

export type OperationName = 'deploy' | 'teardown' | 'info' | 'exec';

/** Every operation, by name: the CLI, the demo and the tests resolve operations here. */
export const operations: Record<OperationName, AnyOperation> = {
  deploy: deployOperation,
  teardown: teardownOperation,
  info: infoOperation,
  exec: execOperation,
};
