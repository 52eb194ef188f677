import type { AppliedStep } from '../../resources/types.js';
import type { OpReport } from '../types.js';
import type { DriftEntry, MaintainResult } from './types.js';

const SYMBOL: Record<DriftEntry['action'], string> = {
  create: '+',
  update: '~',
  replace: '±',
  delete: '-',
  noop: '=',
};

const TREATED: Record<DriftEntry['treatment'], string> = {
  repair: 'repair',
  cleanup: 'clean up',
  report: 'reported',
};

function driftLines(entries: readonly DriftEntry[], reportOnly: boolean): string[] {
  return entries.flatMap((d) => [
    `  ${SYMBOL[d.action]} ${d.action.padEnd(7)} ${d.kind} ${d.name}: ${d.what}`,
    `      ${d.treatment !== 'report' && reportOnly ? `would ${TREATED[d.treatment]}` : TREATED[d.treatment]}: ${d.note}`,
  ]);
}

const appliedLine = (a: AppliedStep) =>
  `  ${a.outcome === 'ok' ? '✓' : a.outcome === 'skipped' ? '·' : '✗'} ${a.action} ${a.kind} ${a.name}${a.detail ? ` — ${a.detail}` : ''}`;

function headline(report: OpReport<MaintainResult>): string {
  const r = report.result;
  const subject = `Maintain ${report.deployment ?? ''}`.trim();
  if (r.clean) return `${subject}: clean — DigitalOcean matches deployment.yml and nothing is stale.`;
  const mode = r.report_only ? ' (report only: nothing changed)' : '';
  return `${subject}: ${r.drift.length} difference(s) from deployment.yml${mode}.`;
}

/** What a person reads after maintain: health, drift and what was done about it, then what to do. */
export function renderMaintain(report: OpReport<MaintainResult>): string {
  const r = report.result;
  const lines = [headline(report)];
  if (r.health.length > 0) {
    lines.push('', 'Health:');
    for (const c of r.health) lines.push(`  ${c.ok ? '✓' : '✗'} ${c.kind} ${c.name}: ${c.detail}`);
  }
  if (r.drift.length > 0) lines.push('', 'Drift:', ...driftLines(r.drift, r.report_only));
  if (r.repaired.length > 0) lines.push('', 'Repaired:', ...r.repaired.map(appliedLine));
  if (r.cleaned.length > 0) lines.push('', 'Cleaned up:', ...r.cleaned.map(appliedLine));
  if (r.registry_gc) {
    const gc = r.registry_gc;
    const uuid = gc.uuid ? ` (${gc.uuid})` : '';
    lines.push('', `Registry ${gc.registry}: garbage collection ${gc.state}${uuid} — ${gc.detail}`);
  }
  const acted = r.repaired.length + r.cleaned.length > 0;
  if (acted && r.remaining.length > 0) lines.push('', 'Still differs:', ...driftLines(r.remaining, false));
  if (report.warnings.length > 0) lines.push('', 'Warnings:', ...report.warnings.map((w) => `  ! ${w}`));
  if (r.progress) {
    lines.push(
      '',
      `Still in progress (${r.progress.phase}): ${r.progress.detail}`,
      'Run maintain again to continue.',
    );
  }
  if (r.failure) lines.push('', `Failed (${r.failure.kind}): ${r.failure.detail}`);
  const unhealthy = r.health.filter((c) => !c.ok);
  if (!r.failure && unhealthy.length > 0) {
    lines.push('', `Unhealthy: ${unhealthy.map((c) => `${c.kind} ${c.name}`).join(', ')}.`);
  }
  if (r.advice.length > 0) lines.push('', 'Next:', ...r.advice.map((a) => `  - ${a}`));
  return lines.join('\n');
}
