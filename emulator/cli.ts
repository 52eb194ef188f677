/**
 * `npm run emulator`: a local DigitalOcean in the foreground. Prints the facts a client needs as
 * dotenv lines (and writes them to --env-file once ready), runs until SIGINT/SIGTERM, then stops
 * everything it started and removes what it wrote.
 */
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { type EmulatorOptions, startEmulator } from './index.js';
import { DEFAULT_DROPLET_LIMIT } from './resources/account.js';
import { normalize } from './resources/domains/held.js';
import { isDomainName } from './resources/domains/names.js';
import { REGISTRY_NAME } from './resources/registry/taken-names.js';

export const USAGE = `Usage: npm run emulator -- [options]

Runs a stateful DigitalOcean API emulator on 127.0.0.1 over HTTPS until Ctrl-C (SIGINT) or SIGTERM.
Prints DIGITALOCEAN_API_URL, DIGITALOCEAN_TOKEN, NODE_EXTRA_CA_CERTS, DIGITALOCEAN_CA_FILE,
DO_SSH_PORT and DO_HTTP_PORT as dotenv lines on stdout.

Options:
  --port N                   API port (default: any free port)
  --time-scale N             virtual time runs N times faster than real time, 0 < N <= 10000 (default 1)
  --env-file PATH            also write the dotenv lines to PATH (mode 0600) once ready; removed on exit
  --ssh-port N               port droplets answer SSH on (default: any free port)
  --http-port N              port droplets answer HTTP on (default: any free port)
  --rate-limit-per-minute N  requests per minute per token before 429 (default 250)
  --droplet-limit N          droplets the account may have at once (default ${DEFAULT_DROPLET_LIMIT}, a new account's)
  --single-address           put every droplet on 127.0.0.1 even where 127.0.0.2+ are routable
  --triggers-preview         the account has Functions' scheduled triggers preview (default: it
                             has not, and the triggers API answers 403)
  --held-domain NAME         a domain another DigitalOcean customer holds: adding it is refused
                             (repeatable; default: none)
  --registry-names-taken L   comma-separated container registry names other customers hold
                             (default: generic names such as base2; '' for none)
  --help                     show this help
`;

/** First line of an env file this tool wrote: the only kind it will overwrite or remove. */
const ENV_FILE_MARKER = '# DigitalOcean emulator (npm run emulator): removed when it stops';

export class UsageError extends Error {}

export interface CliOptions {
  help: boolean;
  envFile: string | undefined;
  emulator: EmulatorOptions;
}

/** Flags → options; throws UsageError naming the flag at fault. */
export function parseCliArgs(argv: string[]): CliOptions {
  let parsed: ReturnType<typeof parseFlags>;
  try {
    // Node (20 and later) reads a script's own `--env-file PATH` as its option and exits when PATH
    // does not exist yet, unless a `--` comes first; the npm script passes that `--`.
    parsed = parseFlags(argv[0] === '--' ? argv.slice(1) : argv);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (positionals.length > 0) throw new UsageError(`unexpected argument: ${positionals[0]}`);
  const emulator: EmulatorOptions = {};
  if (values.port !== undefined) emulator.port = port('--port', values.port);
  if (values['ssh-port'] !== undefined) emulator.sshPort = port('--ssh-port', values['ssh-port']);
  if (values['http-port'] !== undefined) emulator.httpPort = port('--http-port', values['http-port']);
  if (values['time-scale'] !== undefined) {
    const scale = Number(values['time-scale']);
    if (!(scale > 0 && scale <= 10_000))
      throw new UsageError('--time-scale must be a number > 0 and <= 10000');
    emulator.timeScale = scale;
  }
  if (values['rate-limit-per-minute'] !== undefined) {
    const perMinute = Number(values['rate-limit-per-minute']);
    if (!(Number.isInteger(perMinute) && perMinute > 0))
      throw new UsageError('--rate-limit-per-minute must be a whole number > 0');
    emulator.rateLimit = { perMinute };
  }
  if (values['droplet-limit'] !== undefined) {
    const limit = Number(values['droplet-limit']);
    if (!(Number.isInteger(limit) && limit >= 0 && limit <= 100_000))
      throw new UsageError('--droplet-limit must be a whole number from 0 to 100000');
    emulator.dropletLimit = limit;
  }
  if (values['single-address']) emulator.singleAddress = true;
  if (values['triggers-preview']) emulator.triggersPreview = true;
  if (values['held-domain'] !== undefined) emulator.heldDomains = values['held-domain'].map(heldDomain);
  const taken = values['registry-names-taken'];
  if (taken !== undefined) {
    const names = taken
      .split(',')
      .map((name) => name.trim())
      .filter(Boolean);
    const bad = names.find((name) => !REGISTRY_NAME.test(name));
    if (bad !== undefined)
      throw new UsageError(
        `--registry-names-taken: ${bad} is not a registry name (1 to 63 lowercase letters, digits and dashes)`,
      );
    emulator.registryNamesTaken = names;
  }
  if (values['env-file'] === '') throw new UsageError('--env-file needs a path');
  return { help: values.help === true, envFile: values['env-file'], emulator };
}

function parseFlags(argv: string[]) {
  return parseArgs({
    args: argv,
    strict: true,
    allowPositionals: true,
    options: {
      port: { type: 'string' },
      'time-scale': { type: 'string' },
      'env-file': { type: 'string' },
      'ssh-port': { type: 'string' },
      'http-port': { type: 'string' },
      'rate-limit-per-minute': { type: 'string' },
      'droplet-limit': { type: 'string' },
      'single-address': { type: 'boolean' },
      'triggers-preview': { type: 'boolean' },
      'held-domain': { type: 'string', multiple: true },
      'registry-names-taken': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

function heldDomain(value: string): string {
  const name = normalize(value);
  if (!isDomainName(name))
    throw new UsageError(`--held-domain must be a domain name such as example.org, not "${value}"`);
  return name;
}

function port(flag: string, value: string): number {
  const n = Number(value);
  if (!(Number.isInteger(n) && n >= 1 && n <= 65_535))
    throw new UsageError(`${flag} must be a port number 1..65535`);
  return n;
}

/** Refuses to replace a file the emulator did not write (it is removed again on exit). */
async function checkEnvFileIsOurs(path: string): Promise<void> {
  const existing = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (existing !== undefined && !existing.startsWith(ENV_FILE_MARKER)) {
    throw new UsageError(
      `--env-file: ${path} exists and was not written by the emulator; remove it or pick another path`,
    );
  }
}

/** Written beside the target and renamed over it, so a reader never sees half a file. */
async function writeEnvFile(path: string, lines: string[]): Promise<void> {
  const partial = `${path}.${process.pid}.partial`;
  await writeFile(partial, `${[ENV_FILE_MARKER, ...lines].join('\n')}\n`, { mode: 0o600 });
  await rename(partial, path);
}

export async function main(argv: string[]): Promise<number> {
  let options: CliOptions;
  let envFile: string | undefined;
  try {
    options = parseCliArgs(argv);
    if (options.help) {
      process.stdout.write(USAGE);
      return 0;
    }
    envFile = options.envFile ? resolve(options.envFile) : undefined;
    if (envFile) await checkEnvFileIsOurs(envFile);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`emulator: ${error.message}\nRun with --help for the options.\n`);
    return 2;
  }

  // Listening before the start, so a signal during it still ends in a clean stop. The handlers stay
  // while stopping: Ctrl-C reaches this process both from the terminal and relayed by tsx.
  const stopSignal = new Promise<NodeJS.Signals>((done) => {
    process.on('SIGINT', done).on('SIGTERM', done);
  });
  const emulator = await startEmulator(options.emulator);
  try {
    const lines = emulator.envLines();
    if (envFile) await writeEnvFile(envFile, lines);
    process.stdout.write(`${lines.join('\n')}\n`);
  } catch (error) {
    await emulator.stop();
    throw error;
  }
  process.stderr.write(
    `emulator: ready at ${emulator.apiUrl} (time scale ${emulator.clock.timeScale})` +
      `${envFile ? `, facts in ${envFile}` : ''}; Ctrl-C stops it\n`,
  );
  const signal = await stopSignal;
  process.stderr.write(`emulator: ${signal} received, stopping\n`);
  await Promise.all([emulator.stop(), envFile ? rm(envFile, { force: true }) : undefined]);
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`emulator: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
