import { continueAdvice } from '../../lock/hold.js';
import type { OpReport } from '../types.js';
import type { DeployResult } from './index.js';

/** What a person reads after a deploy: the plan, what was done, the checks, and any failure. */
export function renderDeploy(report: OpReport<DeployResult>): string {
  const r = report.result;
  const lines: string[] = [r.dry_run ? 'Plan (dry run, nothing changed):' : 'Plan:', indent(r.plan_table)];
  if (r.applied.length > 0) {
    lines.push('', 'Applied:');
    for (const a of r.applied)
      lines.push(
        `  ${a.outcome === 'ok' ? '✓' : '✗'} ${a.action} ${a.kind} ${a.name}${a.detail ? ` — ${a.detail}` : ''}`,
      );
  }
  if (r.checks.length > 0) {
    lines.push('', 'Checks:');
    for (const c of r.checks) lines.push(`  ${c.ok ? '✓' : '✗'} ${c.kind} ${c.name}: ${c.detail}`);
  }
  if (r.progress)
    lines.push(
      '',
      `Still in progress (${r.progress.phase}): ${r.progress.detail}`,
      continueAdvice('deploy', r.resume),
    );
  if (r.failure) {
    lines.push('', `Failed (${r.failure.kind}): ${r.failure.detail}`);
    if (r.failure.cleanup) lines.push(r.failure.cleanup);
    if (r.failure.logs) lines.push('', 'Last log lines:', indent(r.failure.logs));
  }
  return lines.join('\n');
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
}
