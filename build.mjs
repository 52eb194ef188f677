/**
 * Bundles each function in packages/ops/<op>/index.ts into dist/ops/<op>/index.js: one minified
 * CommonJS file with lib/ and every dependency inside, for DigitalOcean's nodejs:18 runtime.
 *
 * Why CommonJS: the runtime loads a function with `import()` of the file named by package.json
 * `main` (or index.js) and takes its `main` export; a CommonJS bundle with `exports.main` works
 * there and with plain `require`, whatever `type` the surrounding package.json declares, because
 * each bundle ships its own package.json saying `commonjs`.
 *
 * Usage: node build.mjs   (prints each bundle's size; exits 1 if one is over the 1 MB limit)
 */
import { mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const ROOT = dirname(fileURLToPath(import.meta.url));

/**
 * Our budget per bundle (DESIGN.md): small bundles keep cold starts fast. DigitalOcean's own limit
 * for a built function is far larger (48 MB).
 */
export const MAX_BUNDLE_BYTES = 1024 * 1024;

/**
 * @typedef {object} BuildOptions
 * @property {string} [outDir] where `<op>/index.js` go; default dist/ops
 * @property {boolean} [minify] default true
 * @property {Record<string, string>} [entries] op name → entry file; default: every packages/ops/<op>/index.ts
 * @property {string} [root] repository root; default the folder of this file
 * @property {number} [maxBytes] size limit per bundle; default MAX_BUNDLE_BYTES
 *
 * @typedef {object} BuiltFunction
 * @property {string} op
 * @property {string} file absolute path of the bundle
 * @property {number} bytes
 * @property {boolean} oversize
 */

/**
 * Builds every function; resolves with one entry per bundle (it does not throw for size: callers
 * decide, the CLI exits 1).
 * @param {BuildOptions} [options]
 * @returns {Promise<BuiltFunction[]>}
 */
export async function buildFunctions(options = {}) {
  const root = resolve(options.root ?? ROOT);
  const outDir = resolve(root, options.outDir ?? 'dist/ops');
  const maxBytes = options.maxBytes ?? MAX_BUNDLE_BYTES;
  const entries = options.entries ?? (await discoverEntries(root));
  // A full build replaces the folder, so a removed operation leaves no stale bundle to deploy.
  if (options.entries === undefined) await rm(outDir, { recursive: true, force: true });

  const built = [];
  for (const [op, entry] of Object.entries(entries).sort(([a], [b]) => a.localeCompare(b))) {
    const dir = join(outDir, op);
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    const file = join(dir, 'index.js');
    await build({
      absWorkingDir: root,
      entryPoints: [resolve(root, entry)],
      outfile: file,
      bundle: true,
      minify: options.minify ?? true,
      platform: 'node',
      target: 'node18',
      format: 'cjs',
      // ssh2's optional native speed-ups: it falls back to pure JavaScript without them.
      // undici is only loaded for an extra CA (DIGITALOCEAN_CA_FILE); functions use the runtime's
      // own fetch and trust store (lib/do/engine.ts), so it stays out of the bundles.
      external: ['cpu-features', 'undici'],
      loader: { '.node': 'empty' },
      legalComments: 'none',
      logLevel: 'warning',
    });
    await writeFile(
      join(dir, 'package.json'),
      `${JSON.stringify({ name: `base2-do-${op}`, private: true, type: 'commonjs', main: 'index.js' }, null, 2)}\n`,
    );
    const { size } = await stat(file);
    built.push({ op, file, bytes: size, oversize: size > maxBytes });
  }
  return built;
}

/**
 * Every packages/ops/<op>/index.ts that exists.
 * @param {string} root
 * @returns {Promise<Record<string, string>>}
 */
export async function discoverEntries(root) {
  const opsDir = join(root, 'packages', 'ops');
  /** @type {Record<string, string>} */
  const entries = {};
  let names = [];
  try {
    names = await readdir(opsDir, { withFileTypes: true });
  } catch (error) {
    if (/** @type {NodeJS.ErrnoException} */ (error).code === 'ENOENT') return entries;
    throw error;
  }
  for (const dirent of names) {
    if (!dirent.isDirectory()) continue;
    const entry = join(opsDir, dirent.name, 'index.ts');
    if (await exists(entry)) entries[dirent.name] = entry;
  }
  return entries;
}

/**
 * One line per bundle, e.g. `ops/deploy/index.js  812.4 KB`.
 * @param {BuiltFunction[]} built
 * @param {string} root
 * @param {number} [maxBytes]
 */
export function describeBuild(built, root, maxBytes = MAX_BUNDLE_BYTES) {
  return built.map((fn) => {
    const kb = (fn.bytes / 1024).toFixed(1).padStart(8);
    const flag = fn.oversize ? `  OVER THE ${(maxBytes / 1024).toFixed(0)} KB LIMIT` : '';
    return `${relative(root, fn.file)}  ${kb} KB${flag}`;
  });
}

/** @param {string} path */
async function exists(path) {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

async function cli() {
  const built = await buildFunctions();
  if (built.length === 0) {
    console.log('No functions to build: packages/ops/<op>/index.ts has none yet.');
    return;
  }
  for (const line of describeBuild(built, ROOT)) console.log(line);
  const over = built.filter((fn) => fn.oversize);
  if (over.length > 0) {
    console.error(
      `${over.map((fn) => fn.op).join(', ')}: over the ${MAX_BUNDLE_BYTES / 1024} KB bundle budget. ` +
        'Keep heavy dependencies out of operations that do not need them.',
    );
    process.exitCode = 1;
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  cli().catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
