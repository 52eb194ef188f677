import { faultSuite } from './fault-suite.js';
import { maintainEntry } from './maintain-entry.js';

faultSuite(import.meta.filename, [[maintainEntry, 'deadline']]);
