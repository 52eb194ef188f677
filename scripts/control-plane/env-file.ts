/**
 * Writing settings back to `.env`: one line per variable, changed in place or appended, every
 * other line kept as it was; the file is private to its owner (it holds secrets).
 */
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';

const SAFE_VALUE = /^[A-Za-z0-9_./:@+=,-]*$/;

/** Pure: `text` with `NAME=value` set for each update (the last assignment of a name wins, as dotenv reads it). */
export function setEnvLines(text: string, updates: Readonly<Record<string, string>>): string {
  const lines = text === '' ? [] : text.replace(/\n$/, '').split('\n');
  for (const [name, value] of Object.entries(updates)) {
    const line = `${name}=${quote(value)}`;
    const pattern = new RegExp(`^\\s*(?:export\\s+)?${name}\\s*=`);
    const index = lines.findLastIndex((l) => pattern.test(l));
    if (index >= 0) lines[index] = line;
    else lines.push(line);
  }
  return `${lines.join('\n')}\n`;
}

/** Writes the updates into `file` (created if absent) and makes it readable by its owner only. */
export function writeEnvUpdates(file: string, updates: Readonly<Record<string, string>>): void {
  const before = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const after = setEnvLines(before, updates);
  if (after !== before) writeFileSync(file, after, { mode: 0o600 });
  chmodSync(file, 0o600);
}

/** Values with spaces, quotes or `#` are double-quoted so dotenv reads them back unchanged. */
function quote(value: string): string {
  if (SAFE_VALUE.test(value)) return value;
  return `"${value.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n')}"`;
}
