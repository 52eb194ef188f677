import { deployEntry } from './deploy-entry.js';
import { faultSuite } from './fault-suite.js';
import { teardownEntry } from './teardown-entry.js';

// Asynchronous droplet deletion and the account's droplet limit, in teardown and deploy.
faultSuite(import.meta.filename, [
  [teardownEntry, 'deletes'],
  [deployEntry, 'deletes'],
]);
