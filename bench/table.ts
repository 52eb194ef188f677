/** How figures are shown to people: call counts, durations, and the final summary table. */
import type { ApiCallSummary } from '../lib/do/index.js';
import type { SummaryRow } from './types.js';

export const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

export function calls(summary: ApiCallSummary): string {
  const methods = Object.entries(summary.byMethod)
    .map(([method, n]) => `${n} ${method}`)
    .join(', ');
  return `${summary.total} calls (${methods || 'none'})`;
}

/** A plain-text table with a header and aligned columns; no column is ever cut. */
export function textTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

export function summaryTable(rows: readonly SummaryRow[]): string {
  return textTable(
    ['benchmark', 'measure', 'value', 'target'],
    rows.map((r) => [r.benchmark, r.measure, r.value, r.target ?? '']),
  );
}
