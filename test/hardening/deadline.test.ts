import { deployEntry } from './deploy-entry.js';
import { faultSuite } from './fault-suite.js';
import { teardownEntry } from './teardown-entry.js';

faultSuite(import.meta.filename, [
  [deployEntry, 'deadline'],
  [teardownEntry, 'deadline'],
]);
