/**
 * `npm run bootstrap -- [--destroy] [--json] [--show-secret] [--debug]`
 * Deploys (or removes) the control plane: the Functions namespace, package ops and its functions.
 * Exit codes: 0 done, 1 a DigitalOcean call failed, 2 invalid configuration or arguments.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runBootstrapCli } from './control-plane/bootstrap-cli.js';
import { processIo } from './control-plane/cli-io.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

process.exitCode = await runBootstrapCli(process.argv.slice(2), processIo(), { root: ROOT });
