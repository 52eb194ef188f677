import { stringify } from 'yaml';
import { isToolError } from '../../lib/errors.js';
import { HOLDER_ID } from '../../lib/lock/holder.js';
import type { OpReport, Progress } from '../../lib/ops/types.js';

export interface Terminal {
  write(text: string): void;
  isTTY: boolean;
}

const STATUS_WORD: Record<OpReport['status'], string> = {
  succeeded: 'succeeded',
  noop: 'nothing to do',
  in_progress: 'still in progress',
  failed: 'FAILED',
};

/** A person's view of a report: outcome line, warnings, the result as YAML, then the accounting. */
export function renderReport(report: OpReport, render?: (report: OpReport) => string): string {
  const lines: string[] = [];
  const subject = report.deployment ? `${report.op} ${report.deployment}` : report.op;
  lines.push(`${subject}: ${STATUS_WORD[report.status]}`);
  // An operation that renders itself may show its warnings in place; the rest are listed here.
  const rendered = render ? render(report).trimEnd() : undefined;
  for (const warning of report.warnings) if (!rendered?.includes(warning)) lines.push(`warning: ${warning}`);
  if (rendered !== undefined) lines.push('', rendered);
  else if (report.result !== undefined && report.result !== null) {
    lines.push('', stringify(report.result, { lineWidth: 0 }).trimEnd());
  }
  const calls = report.api_calls;
  const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  // A control plane deployed before lock waits were reported answers without the figure.
  const lockWait = report.lock_wait_ms ?? 0;
  const waited = `waited on DigitalOcean ${seconds(report.platform_wait_ms)}${lockWait > 0 ? `, for the lock ${seconds(lockWait)}` : ''}`;
  lines.push(
    '',
    `tool time ${seconds(report.tool_time_ms)} (${waited}) · API calls ${calls.total} (${calls.mutating} mutating) · audit records ${report.audit.length}`,
  );
  return `${lines.join('\n')}\n`;
}

/** The token an `in_progress` answer gave for its next call, when it kept the deployment locked. */
export function resumeTokenOf(report: OpReport): string | undefined {
  const token = (report.result as { resume?: unknown } | undefined)?.resume;
  return typeof token === 'string' && HOLDER_ID.test(token) ? token : undefined;
}

/** One sentence for a person, then each problem on its own line; a stack only when asked for. */
export function renderError(error: unknown, debug: boolean): string {
  if (isToolError(error)) {
    const lines = [`error: ${error.describe()}`];
    const problems = (error as { problems?: { path: string; message: string }[] }).problems ?? [];
    if (problems.length > 1) for (const p of problems) lines.push(`  - ${p.path}: ${p.message}`);
    if (debug && error.stack) lines.push(error.stack);
    return `${lines.join('\n')}\n`;
  }
  const message = error instanceof Error ? error.message : String(error);
  const stack = debug && error instanceof Error && error.stack ? `\n${error.stack}` : '';
  return `internal error: ${message} (run with --debug for details)${stack}\n`;
}

/** Progress on a terminal rewrites one line; elsewhere each update is its own line. */
export function progressPrinter(out: Terminal): (update: Progress) => void {
  return (update) => {
    const pct = update.fraction === undefined ? '' : ` ${Math.round(update.fraction * 100)}%`;
    const text = `… ${update.step}${pct}${update.detail ? ` — ${update.detail}` : ''}`;
    out.write(out.isTTY ? `\r\x1b[2K${text}` : `${text}\n`);
  };
}

/** Log lines for a person: `level msg key=value …`; JSON lines stay JSON when the caller wants them. */
export function humanLogLine(line: string): string {
  try {
    const { time: _time, level, msg, op: _op, ...fields } = JSON.parse(line) as Record<string, unknown>;
    const extras = Object.entries(fields)
      .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
      .join(' ');
    return `${String(level).padEnd(5)} ${String(msg)}${extras ? ` ${extras}` : ''}\n`;
  } catch {
    return `${line}\n`;
  }
}
