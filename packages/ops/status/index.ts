import { statusOperation } from '../../../lib/ops/status/index.js';
import { operationFunction } from '../../../lib/web/operation.js';

export const main = operationFunction(statusOperation, { root: __dirname });
