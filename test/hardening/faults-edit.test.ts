import { editEntry } from './edit-entry.js';
import { faultSuite } from './fault-suite.js';

faultSuite(import.meta.filename, [[editEntry, 'edit']]);
