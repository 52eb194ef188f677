import { deployEntry } from './deploy-entry.js';
import { faultSuite } from './fault-suite.js';

faultSuite(import.meta.filename, [[deployEntry, 'reads']]);
