/** Types of functions-node.mjs (plain JavaScript, run by node without a compile step). */
export type FunctionsNode = { path: string; version: string } | { path: undefined; reason: string };

export interface FunctionsNodeOptions {
  cacheDir?: string;
  env?: Record<string, string | undefined>;
  platform?: string;
  arch?: string;
  install?: boolean;
}

/** The Node major version of the Functions runtime the project deploys to. */
export const FUNCTIONS_NODE_MAJOR: number;
/** `nodejs:<FUNCTIONS_NODE_MAJOR>`: project.yml's default runtime. */
export const FUNCTIONS_RUNTIME: string;
export const FUNCTIONS_NODE_PACKAGE: string;
export const DEFAULT_CACHE_DIR: string;

/** A Node binary of the Functions runtime's major version, installed from the npm registry into .cache on demand. */
export function ensureFunctionsNode(options?: FunctionsNodeOptions): Promise<FunctionsNode>;
export function functionsNodePath(cacheDir: string): string;
