import { deployEntry } from './deploy-entry.js';
import { interruptionSuite } from './interruption-suite.js';

interruptionSuite(import.meta.filename, [deployEntry]);
