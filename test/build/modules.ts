/**
 * Typed access to build.mjs and scripts/functions-node.mjs. They are plain JavaScript (run by node without a
 * compile step), so TypeScript has no declarations for them; these interfaces state the contract
 * the tests rely on, and a computed import keeps tsc from looking for a declaration file.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOT = resolve(import.meta.dirname, '../..');

export interface BuiltFunction {
  op: string;
  file: string;
  bytes: number;
  oversize: boolean;
}

export interface BuildModule {
  MAX_BUNDLE_BYTES: number;
  buildFunctions(options?: {
    outDir?: string;
    minify?: boolean;
    entries?: Record<string, string>;
    root?: string;
    maxBytes?: number;
  }): Promise<BuiltFunction[]>;
  discoverEntries(root: string): Promise<Record<string, string>>;
  describeBuild(built: BuiltFunction[], root: string, maxBytes?: number): string[];
}

export type FunctionsNode = { path: string; version: string } | { path: undefined; reason: string };

export interface FunctionsNodeModule {
  FUNCTIONS_NODE_MAJOR: number;
  FUNCTIONS_RUNTIME: string;
  ensureFunctionsNode(options?: {
    cacheDir?: string;
    env?: Record<string, string | undefined>;
    platform?: string;
    arch?: string;
    install?: boolean;
  }): Promise<FunctionsNode>;
}

export async function loadBuildModule(): Promise<BuildModule> {
  return (await import(pathToFileURL(resolve(ROOT, 'build.mjs')).href)) as BuildModule;
}

export async function loadFunctionsNodeModule(): Promise<FunctionsNodeModule> {
  return (await import(
    pathToFileURL(resolve(ROOT, 'scripts/functions-node.mjs')).href
  )) as FunctionsNodeModule;
}
