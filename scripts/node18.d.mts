/** Types of node18.mjs (plain JavaScript, run by node without a compile step). */
export type Node18 = { path: string; version: string } | { path: undefined; reason: string };

export interface EnsureNode18Options {
  cacheDir?: string;
  env?: Record<string, string | undefined>;
  platform?: string;
  arch?: string;
  install?: boolean;
}

/** A Node 18 binary (the Functions runtime's), installed from the npm registry into .cache on demand. */
export function ensureNode18(options?: EnsureNode18Options): Promise<Node18>;
