/**
 * A small zip reader for action archives (`binary: true` actions: the deployer zips functions
 * that carry a package.json or several files). Stored and deflated entries, no zip64: what
 * `zip` and the deployer produce for archives under 48 MB.
 */
import { inflateRawSync } from 'node:zlib';

export interface ZipEntry {
  name: string;
  data: Buffer;
}

const EOCD_SIGNATURE = 0x06054b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;
const EOCD_MIN_SIZE = 22;
const MAX_COMMENT = 0xffff;

export function readZip(archive: Buffer): ZipEntry[] {
  const eocd = findEndOfCentralDirectory(archive);
  const count = archive.readUInt16LE(eocd + 10);
  let offset = archive.readUInt32LE(eocd + 16);
  const entries: ZipEntry[] = [];
  for (let i = 0; i < count; i++) {
    if (archive.readUInt32LE(offset) !== CENTRAL_SIGNATURE)
      throw new Error('corrupt zip: bad central directory');
    const method = archive.readUInt16LE(offset + 10);
    const compressedSize = archive.readUInt32LE(offset + 20);
    const nameLength = archive.readUInt16LE(offset + 28);
    const extraLength = archive.readUInt16LE(offset + 30);
    const commentLength = archive.readUInt16LE(offset + 32);
    const localOffset = archive.readUInt32LE(offset + 42);
    const name = archive.toString('utf8', offset + 46, offset + 46 + nameLength);
    offset += 46 + nameLength + extraLength + commentLength;
    if (name.endsWith('/')) continue;
    checkEntryName(name);
    entries.push({ name, data: entryData(archive, localOffset, method, compressedSize) });
  }
  return entries;
}

function findEndOfCentralDirectory(archive: Buffer): number {
  const lowest = Math.max(0, archive.length - EOCD_MIN_SIZE - MAX_COMMENT);
  for (let i = archive.length - EOCD_MIN_SIZE; i >= lowest; i--) {
    if (archive.readUInt32LE(i) === EOCD_SIGNATURE) return i;
  }
  throw new Error('not a zip archive');
}

function entryData(archive: Buffer, localOffset: number, method: number, size: number): Buffer {
  if (archive.readUInt32LE(localOffset) !== LOCAL_SIGNATURE) throw new Error('corrupt zip: bad local header');
  const start =
    localOffset + 30 + archive.readUInt16LE(localOffset + 26) + archive.readUInt16LE(localOffset + 28);
  const raw = archive.subarray(start, start + size);
  if (method === 0) return Buffer.from(raw);
  if (method === 8) return inflateRawSync(raw);
  throw new Error(`unsupported zip compression method ${method}`);
}

/** Entries stay inside the extraction directory. */
function checkEntryName(name: string): void {
  if (name.startsWith('/') || name.split(/[\\/]/).includes('..'))
    throw new Error(`unsafe path in zip: ${name}`);
}
