import { infoOperation } from './info/index.js';

/** Every operation, by name: the CLI, the demo and the tests resolve operations here. */
export const operations = {
  info: infoOperation,
} as const;

export type OperationName = keyof typeof operations;
