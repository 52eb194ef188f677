import { infoOperation } from '../../../lib/ops/info/index.js';
import { operationFunction } from '../../../lib/web/operation.js';

export const main = operationFunction(infoOperation, { root: __dirname });
