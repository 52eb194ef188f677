/**
 * A built function's code as DigitalOcean receives it: the files its `.include` lists (the same
 * list the deployer zips), in one zip sent base64 with `binary: true`, and a digest of those files
 * that bootstrap stores on the action to know, next time, whether the code changed.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, posix } from 'node:path';
import { ConfigError } from '../../lib/errors.js';
import { createZip, type ZipInput } from './zip.js';

export const INCLUDE_FILE = '.include';

export interface FunctionCode {
  /** Archive paths, in .include order (directories expanded). */
  files: string[];
  /** sha256 over the names and contents, hex. */
  digest: string;
  /** The zip, base64. */
  zipBase64: string;
  zipBytes: number;
}

/** Reads `dir/.include` and zips what it lists; a missing or empty list, or a missing file, is a ConfigError. */
export function readFunctionCode(dir: string, name: string): FunctionCode {
  const entries = includedFiles(dir, name).map(
    (file): ZipInput => ({ name: file, data: readFileSync(join(dir, file)) }),
  );
  const zip = createZip(entries);
  return {
    files: entries.map((e) => e.name),
    digest: codeDigest(entries),
    zipBase64: zip.toString('base64'),
    zipBytes: zip.length,
  };
}

/** The digest bootstrap compares: names and contents, so a rename counts as a change too. */
export function codeDigest(entries: readonly ZipInput[]): string {
  const hash = createHash('sha256');
  for (const entry of [...entries].sort((a, b) => a.name.localeCompare(b.name))) {
    hash.update(`${entry.name}\0${entry.data.length}\0`).update(entry.data);
  }
  return hash.digest('hex');
}

/** The archive paths `.include` names, directories expanded; the deployer's rules (no absolute paths, no `..`). */
export function includedFiles(dir: string, name: string): string[] {
  const problem = (message: string) =>
    new ConfigError(`The function ${name}`, [{ path: join(dir, INCLUDE_FILE), message }], {
      hint: 'Run `npm run build` first.',
    });
  let text: string;
  try {
    text = readFileSync(join(dir, INCLUDE_FILE), 'utf8');
  } catch {
    throw problem('is missing: the function has not been built');
  }
  const listed = text
    .split('\n')
    .map((line) => line.trim().replace(/^\.\//, ''))
    .filter((line) => line !== '');
  if (listed.length === 0) throw problem('lists no files');
  const files: string[] = [];
  for (const item of listed) {
    if (isAbsolute(item) || item.split('/').includes('..'))
      throw problem(`"${item}" must be a path inside the function's folder`);
    const path = join(dir, item);
    let isDirectory: boolean;
    try {
      isDirectory = statSync(path).isDirectory();
    } catch {
      throw problem(`lists "${item}", which does not exist`);
    }
    files.push(...(isDirectory ? walk(dir, item.replace(/\/+$/, '')) : [item]));
  }
  return [...new Set(files)];
}

function walk(root: string, relative: string): string[] {
  const out: string[] = [];
  for (const dirent of readdirSync(join(root, relative), { withFileTypes: true })) {
    const child = posix.join(relative, dirent.name);
    if (dirent.isDirectory()) out.push(...walk(root, child));
    else if (dirent.isFile()) out.push(child);
  }
  return out.sort();
}
