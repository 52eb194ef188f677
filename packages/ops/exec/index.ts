import { execOperation } from '../../../lib/ops/exec/index.js';
import { operationFunction } from '../../../lib/web/operation.js';

export const main = operationFunction(execOperation, { root: __dirname });
