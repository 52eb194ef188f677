import { editEntry } from './edit-entry.js';
import { faultSuite } from './fault-suite.js';

// Asynchronous droplet deletion and the account's droplet limit, in edit.
faultSuite(import.meta.filename, [[editEntry, 'deletes']]);
