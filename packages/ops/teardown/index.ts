import { teardownOperation } from '../../../lib/ops/teardown/index.js';
import { operationFunction } from '../../../lib/web/operation.js';

export const main = operationFunction(teardownOperation, { root: __dirname });
