import { editOperation } from '../../../lib/ops/edit/index.js';
import { operationFunction } from '../../../lib/web/operation.js';

export const main = operationFunction(editOperation, { root: __dirname });
