import { failingActivations } from '../../../lib/ops/activation.js';
import { maintainOperation } from '../../../lib/ops/maintain/index.js';
import { operationFunction } from '../../../lib/web/operation.js';

// A refused or failed answer to a trigger or a direct invocation is a failed activation.
export const main = failingActivations(operationFunction(maintainOperation, { root: __dirname }));
