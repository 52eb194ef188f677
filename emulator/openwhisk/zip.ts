/**
 * Reading action archives (`binary: true` actions: the deployer zips functions that carry a
 * package.json or several files) with fflate. Directory entries are skipped; every path must
 * stay inside the extraction directory.
 */
import { unzipSync } from 'fflate';

export interface ZipEntry {
  name: string;
  data: Buffer;
}

export function readZip(archive: Buffer): ZipEntry[] {
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(archive);
  } catch (error) {
    throw new Error(`not a readable zip archive: ${(error as Error).message}`);
  }
  return Object.entries(files)
    .filter(([name]) => !name.endsWith('/'))
    .map(([name, data]) => {
      checkEntryName(name);
      return { name, data: Buffer.from(data) };
    });
}

/** Entries stay inside the extraction directory. */
function checkEntryName(name: string): void {
  if (name.startsWith('/') || name.split(/[\\/]/).includes('..'))
    throw new Error(`unsafe path in zip: ${name}`);
}
