import { continueAdvice } from '../../lock/hold.js';
import type { OpReport } from '../types.js';
import type { EditResult } from './index.js';
import { REFUSED_ADVICE } from './preflight.js';

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
}

/** What a person reads after an edit: the plan, what was done, the checks, any failure and the restore. */
export function renderEdit(report: OpReport<EditResult>): string {
  const r = report.result;
  const lines: string[] = [r.dry_run ? 'Plan (dry run, nothing changed):' : 'Plan:', indent(r.plan_table)];
  if (r.validated && !r.failure) {
    lines.push('', 'Checked with DigitalOcean:');
    for (const v of r.validated) lines.push(`  ✓ ${v}`);
  }
  if (r.refusals) {
    lines.push('', 'Refused by DigitalOcean (the edit was not made, nothing was changed):');
    for (const refusal of r.refusals) lines.push(`  ✗ ${refusal}`);
    lines.push(REFUSED_ADVICE);
  }
  if (r.applied.length > 0) {
    lines.push('', 'Applied:');
    for (const a of r.applied)
      lines.push(
        `  ${a.outcome === 'ok' ? '✓' : a.outcome === 'skipped' ? '·' : '✗'} ${a.action} ${a.kind} ${a.name}${a.detail ? ` — ${a.detail}` : ''}`,
      );
  }
  if (r.checks.length > 0) {
    lines.push('', 'Checks:');
    for (const c of r.checks) lines.push(`  ${c.ok ? '✓' : '✗'} ${c.kind} ${c.name}: ${c.detail}`);
  }
  if (r.progress) {
    lines.push('', `Still in progress (${r.progress.phase}): ${r.progress.detail}`);
    lines.push(
      `${continueAdvice('the same edit', r.resume)} It follows the edit to the end and verifies it.`,
    );
  }
  if (r.failure && !r.refusals) {
    lines.push('', `Failed (${r.failure.kind}): ${r.failure.detail}`);
    if (r.failure.logs) lines.push('', 'Last log lines:', indent(r.failure.logs));
  }
  if (r.restore) {
    lines.push(
      '',
      r.restore.ok
        ? 'Restored the state from before the edit:'
        : 'Could NOT fully restore the state from before the edit:',
    );
    for (const detail of r.restore.details) lines.push(`  ${detail}`);
  }
  return lines.join('\n');
}
