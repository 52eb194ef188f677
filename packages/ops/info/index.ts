import { failingActivations } from '../../../lib/ops/activation.js';
import { infoOperation } from '../../../lib/ops/info/index.js';
import { operationFunction } from '../../../lib/web/operation.js';

// A refused or failed answer to a trigger or a direct invocation is a failed activation.
export const main = failingActivations(operationFunction(infoOperation, { root: __dirname }));
