/**
 * Function archives, written with fflate: deflated entries in the order given, every one dated
 * 1980-01-01 (the earliest a zip can say), so the same files always make the same bytes and
 * nothing about an archive changes unless its content does.
 */
import { type Zippable, zipSync } from 'fflate';

export interface ZipInput {
  /** Forward slashes, relative, no `..`. */
  name: string;
  data: Buffer;
}

/** Local time, as zip dates are: the same date on every machine's clock. */
const FIXED_DATE = new Date(1980, 0, 1);

export function createZip(entries: readonly ZipInput[]): Buffer {
  const files: Zippable = {};
  for (const entry of entries) {
    checkName(entry.name);
    files[entry.name] = [entry.data, { level: 9, mtime: FIXED_DATE }];
  }
  return Buffer.from(zipSync(files));
}

function checkName(name: string): void {
  if (name === '' || name.startsWith('/') || name.includes('\\') || name.split('/').includes('..')) {
    throw new RangeError(`not a relative archive path: ${JSON.stringify(name)}`);
  }
}
