import type { OpReport, Progress } from '../../lib/ops/types.js';

/** One line of the closing summary. */
export interface StepRow {
  step: string;
  outcome: string;
  ok: boolean;
  /** The outcome was a failure the demo asks for (a broken image that must be rolled back). */
  intended?: boolean;
  /** The tool's own time (waits on DigitalOcean excluded), summed over the calls of the step. */
  toolMs: number;
  wallMs: number;
  apiCalls: number;
  note?: string;
}

export interface Screen {
  line(text: string): void;
  progress(update: Progress): void;
  /** Ends a progress line so the next output starts clean. */
  settle(): void;
}

/** A person's screen: progress rewrites one line on a terminal and is a line of its own elsewhere. */
export function screen(out: NodeJS.WriteStream, quiet: boolean): Screen {
  let open = false;
  let last = '';
  return {
    line(text) {
      if (quiet) return;
      if (open) out.write(out.isTTY ? '\r\x1b[2K' : '');
      open = false;
      out.write(`${text}\n`);
    },
    progress(update) {
      if (quiet) return;
      const pct = update.fraction === undefined ? '' : ` ${Math.round(update.fraction * 100)}%`;
      const text = `    … ${update.step}${pct}${update.detail ? ` — ${update.detail}` : ''}`;
      // Polling repeats itself: a line only when something changed.
      if (text === last) return;
      last = text;
      if (out.isTTY) {
        out.write(`\r\x1b[2K${text.slice(0, (out.columns ?? 120) - 1)}`);
        open = true;
      } else out.write(`${text}\n`);
    },
    settle() {
      if (open && out.isTTY) out.write('\r\x1b[2K');
      open = false;
    },
  };
}

/** A step's row; after several calls the last one's `noop` only means "the earlier calls finished it". */
export function rowFromReport(
  step: string,
  report: OpReport,
  wallMs: number,
  calls: number,
  expect: 'ok' | 'failed' = 'ok',
): StepRow {
  const done = report.status === 'succeeded' || report.status === 'noop';
  return {
    step,
    outcome: report.status === 'noop' && calls > 1 ? 'succeeded' : report.status,
    ok: expect === 'ok' ? done : report.status === 'failed',
    ...(expect === 'failed' && report.status === 'failed' ? { intended: true } : {}),
    toolMs: report.tool_time_ms,
    wallMs,
    apiCalls: report.api_calls.total,
  };
}

/** The closing table: each step, its outcome, tool time and API calls. */
export function summaryTable(rows: readonly StepRow[]): string {
  const header = ['step', 'outcome', 'tool time', 'wall time', 'API calls'];
  const body = rows.map((r) => [
    `${r.ok ? '✓' : '✗'} ${r.step}`,
    // A ✓ beside "failed" alone reads as a contradiction: say the failure was the one intended.
    (r.intended ? `${r.outcome} as intended` : r.outcome) + (r.note ? ` (${r.note})` : ''),
    `${(r.toolMs / 1000).toFixed(1)} s`,
    `${(r.wallMs / 1000).toFixed(1)} s`,
    String(r.apiCalls),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const format = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [format(header), format(widths.map((w) => '─'.repeat(w))), ...body.map(format)].join('\n');
}
