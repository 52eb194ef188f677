/** Pure: aligned text tables for a terminal, one per resource kind. */

export type Cell = string | number | boolean | undefined | null;

export interface TableOptions {
  /** Said instead of an empty table, so an absent kind reads as checked and empty. */
  empty?: string;
}

const EMPTY_CELL = '-';

function text(cell: Cell): string {
  if (cell === undefined || cell === null || cell === '') return EMPTY_CELL;
  if (typeof cell === 'boolean') return cell ? 'yes' : 'no';
  // One line per row: a value with newlines would break the columns.
  return String(cell).replace(/\s*\n\s*/g, ' ');
}

/**
 * `title`, then the header and the rows indented, every column as wide as its widest value (the
 * last one unpadded, so lines carry no trailing spaces); `title: none` when there are no rows.
 */
export function table(
  title: string,
  headers: readonly string[],
  rows: readonly Cell[][],
  options: TableOptions = {},
): string {
  if (rows.length === 0) return `${title}: ${options.empty ?? 'none'}`;
  const lines = [headers.map((h) => h), ...rows.map((row) => headers.map((_, i) => text(row[i])))];
  const widths = headers.map((_, i) => Math.max(...lines.map((line) => line[i]!.length)));
  const format = (line: string[]) =>
    `  ${line
      .map((cell, i) => (i === line.length - 1 ? cell : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd()}`;
  return [title, ...lines.map(format)].join('\n');
}

/** `1.5 GiB`: storage as people read it. */
export function formatBytes(bytes: number | undefined): string | undefined {
  if (bytes === undefined) return undefined;
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** `2024-05-01 12:00`: minutes are enough on a terminal; the JSON keeps the full time. */
export function formatTime(iso: string | undefined): string | undefined {
  if (!iso) return undefined;
  return iso.replace('T', ' ').slice(0, 16);
}
