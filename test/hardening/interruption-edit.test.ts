import { editEntry } from './edit-entry.js';
import { interruptionSuite } from './interruption-suite.js';

interruptionSuite(import.meta.filename, [editEntry]);
