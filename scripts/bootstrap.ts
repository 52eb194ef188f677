/**
 * `npm run bootstrap -- [--destroy] [--json] [--show-secret] [--debug]`
 * Deploys (or removes) the control plane: the Functions namespace, package ops and its functions.
 * Exit codes: 0 done, 1 a DigitalOcean call failed, 2 invalid configuration or arguments.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { systemClock } from '../lib/clock.js';
import { readEnvironment } from '../lib/config/env.js';
import { runBootstrapCli } from './control-plane/bootstrap-cli.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

process.exitCode = await runBootstrapCli(
  process.argv.slice(2),
  {
    stdout: process.stdout,
    stderr: process.stderr,
    source: readEnvironment({ cwd: process.cwd(), processEnv: process.env }),
    cwd: process.cwd(),
    clock: systemClock,
    random: Math.random,
  },
  { root: ROOT },
);
