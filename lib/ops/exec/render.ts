import type { OpReport } from '../types.js';
import type { ExecResult, TargetResult } from './result.js';

/** What a person reads after exec: per target a header, its output, then how it ended. */
export function renderExec(report: OpReport<ExecResult>): string {
  const r = report.result;
  if (r.dry_run)
    return ['Would run on (dry run, nothing run):', ...r.targets.map((t) => `  ${t}`)].join('\n');
  return r.results.map(renderTarget).join('\n\n');
}

function renderTarget(t: TargetResult): string {
  const lines = [`── ${t.target} ──`];
  if (t.stdout) lines.push(t.stderr === null ? 'output (stdout and stderr):' : 'stdout:', block(t.stdout));
  if (t.stderr) lines.push('stderr:', block(t.stderr));
  const ended =
    t.exit_code !== null
      ? `exit code ${t.exit_code}`
      : t.timed_out
        ? 'stopped at its timeout'
        : t.signal
          ? `ended by signal ${t.signal}`
          : 'no exit code';
  const facts = [ended, seconds(t.duration_ms)];
  if (t.truncated) facts.push('output truncated');
  if (t.host_fingerprint) facts.push(`host key ${t.host_fingerprint}`);
  lines.push(facts.join(' · '));
  if (t.error) lines.push(`error: ${t.error}`);
  return lines.join('\n');
}

function block(text: string): string {
  return text
    .replace(/\n$/, '')
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
