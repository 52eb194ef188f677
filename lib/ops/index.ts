import { infoOperation } from './info/index.js';
import type { AnyOperation } from './types.js';

export type OperationName = 'info';

/** Every operation, by name: the CLI, the demo and the tests resolve operations here. */
export const operations: Record<OperationName, AnyOperation> = {
  info: infoOperation,
};
