import { deployOperation } from '../../../lib/ops/deploy/index.js';
import { operationFunction } from '../../../lib/web/operation.js';

export const main = operationFunction(deployOperation, { root: __dirname });
