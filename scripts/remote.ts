/**
 * `npm run remote -- <op> [--name value …] [--json] [--wait|--no-wait] [--timeout 10m] [--debug]`
 * Runs an operation in the deployed control plane over HTTPS (OPS_WEB_URL, OPS_WEB_SECRET).
 * Exit codes: 0 done, 1 failed or still in progress, 2 invalid input, configuration or web secret,
 * 130 interrupted (Ctrl-C), 143 terminated (SIGTERM).
 */
import { INTERRUPT_EXIT, SAME_PRESS_MS } from './cli/interrupt.js';
import { processIo } from './control-plane/cli-io.js';
import { runRemoteCli } from './control-plane/remote-cli.js';

// Ctrl-C stops calling and says what stays locked; a second one (npm relays the first one again
// within moments, scripts/cli/interrupt.ts) exits at once.
const stop = new AbortController();
let cause: 'SIGINT' | 'SIGTERM' | undefined;
let firstAt = 0;
const onSignal = (signal: 'SIGINT' | 'SIGTERM') => {
  if (cause === undefined) {
    cause = signal;
    firstAt = Date.now();
    stop.abort();
    return;
  }
  if (signal === cause && Date.now() - firstAt < SAME_PRESS_MS) return;
  process.stderr.write(`Exiting at once (${signal}).\n`);
  process.exit(INTERRUPT_EXIT[signal]);
};
const onInt = () => onSignal('SIGINT');
const onTerm = () => onSignal('SIGTERM');
process.on('SIGINT', onInt);
process.on('SIGTERM', onTerm);

process.exitCode = await runRemoteCli(process.argv.slice(2), processIo(), {
  stop: stop.signal,
  stopCause: () => cause,
});
process.off('SIGINT', onInt);
process.off('SIGTERM', onTerm);
