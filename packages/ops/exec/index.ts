import { failingActivations } from '../../../lib/ops/activation.js';
import { execOperation } from '../../../lib/ops/exec/index.js';
import { operationFunction } from '../../../lib/web/operation.js';

// A refused or failed answer to a trigger or a direct invocation is a failed activation.
export const main = failingActivations(operationFunction(execOperation, { root: __dirname }));
