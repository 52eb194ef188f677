import { maintainOperation } from '../../../lib/ops/maintain/index.js';
import { operationFunction } from '../../../lib/web/operation.js';

export const main = operationFunction(maintainOperation, { root: __dirname });
