import { interruptionSuite } from './interruption-suite.js';
import { teardownEntry } from './teardown-entry.js';

interruptionSuite(import.meta.filename, [teardownEntry]);
