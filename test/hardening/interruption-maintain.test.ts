import { interruptionSuite } from './interruption-suite.js';
import { maintainEntry } from './maintain-entry.js';

interruptionSuite(import.meta.filename, [maintainEntry]);
