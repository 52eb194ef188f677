/** Types of oldest-node.mjs (plain JavaScript, run by node without a compile step). */
import type { FunctionsNode, FunctionsNodeOptions, NodeRelease } from './functions-node.mjs';

/** The oldest Node the tool supports, exactly as package.json's engines names it. */
export const OLDEST_NODE_VERSION: string;
export const OLDEST_NODE_RELEASE: NodeRelease;
/** That Node, installed from the npm registry into .cache/oldest-node on demand. */
export function ensureOldestNode(options?: FunctionsNodeOptions): Promise<FunctionsNode>;
