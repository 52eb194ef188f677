import { failingActivations } from '../../../lib/ops/activation.js';
import { teardownOperation } from '../../../lib/ops/teardown/index.js';
import { operationFunction } from '../../../lib/web/operation.js';

// A refused or failed answer to a trigger or a direct invocation is a failed activation.
export const main = failingActivations(operationFunction(teardownOperation, { root: __dirname }));
