/** Types of build.mjs (plain JavaScript, run by node without a compile step) for TypeScript callers. */

export const MAX_BUNDLE_BYTES: number;
export const DEFAULT_OUT_DIR: string;
export const INCLUDE_FILE: string;

export interface BuildOptions {
  /** Where the `<op>/` directories go; default packages/ops (in place). */
  outDir?: string;
  minify?: boolean;
  /** op name → entry file; default every packages/ops/<op>/index.ts. */
  entries?: Record<string, string>;
  root?: string;
  maxBytes?: number;
  /** The manifest to ship, relative to root; default $BASE2_MANIFEST or deployment.yml. */
  manifest?: string;
}

export interface BuiltFunction {
  op: string;
  /** Absolute path of the bundle. */
  file: string;
  /** Absolute path of the function's deployable directory. */
  dir: string;
  /** What the function's zip holds, relative to `dir` (its .include list). */
  files: string[];
  bytes: number;
  oversize: boolean;
}

export function buildFunctions(options?: BuildOptions): Promise<BuiltFunction[]>;
export function runtimeFiles(root: string, manifest: string): Promise<{ from: string; to: string }[]>;
export function discoverEntries(root: string): Promise<Record<string, string>>;
export function cleanGenerated(outDir: string): Promise<void>;
export function describeBuild(built: BuiltFunction[], root: string, maxBytes?: number): string[];
