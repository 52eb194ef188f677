/**
 * `npm run remote -- <op> [--name value …] [--json] [--wait|--no-wait] [--timeout 10m] [--debug]`
 * Runs an operation in the deployed control plane over HTTPS (OPS_WEB_URL, OPS_WEB_SECRET).
 * Exit codes: 0 done, 1 failed or still in progress, 2 invalid input, configuration or web secret.
 */
import { systemClock } from '../lib/clock.js';
import { readEnvironment } from '../lib/config/env.js';
import { runRemoteCli } from './control-plane/remote-cli.js';

process.exitCode = await runRemoteCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  source: readEnvironment({ cwd: process.cwd(), processEnv: process.env }),
  cwd: process.cwd(),
  clock: systemClock,
  random: Math.random,
});
