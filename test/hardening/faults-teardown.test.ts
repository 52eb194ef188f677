import { faultSuite } from './fault-suite.js';
import { teardownEntry } from './teardown-entry.js';

faultSuite(import.meta.filename, [[teardownEntry, 'teardown']]);
