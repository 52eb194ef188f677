import type { OpReport } from '../types.js';
import type { StatusResult } from './summary.js';

/** A few lines: the state, then the app, the droplets and the lock. */
export function renderStatus(report: OpReport<StatusResult>): string {
  const r = report.result;
  const lines = [`Status ${report.deployment ?? ''}: ${r.state}`];
  if (r.app) {
    const a = r.app;
    if (!a.exists) lines.push('  app: does not exist');
    else {
      const live = a.active_deployment ? `active deployment ${a.active_deployment}` : 'no active deployment';
      lines.push(`  app: ${live}${a.live_url ? `, live at ${a.live_url}` : ''}`);
      if (a.in_progress) {
        const p = a.in_progress;
        const failed = p.steps_failed > 0 ? `, ${p.steps_failed} failed` : '';
        lines.push(`  app deployment ${p.id}: ${p.phase} (${p.steps_done}/${p.steps_total} steps${failed})`);
      }
    }
  }
  if (r.droplets) {
    const d = r.droplets;
    const counts = Object.entries(d.by_status)
      .map(([status, n]) => `${n} ${status}`)
      .join(', ');
    const generations = d.generations > 1 ? ` in ${d.generations} generations` : '';
    const lookalikes = d.lookalikes > 0 ? `; ${d.lookalikes} look-alike(s) not managed here` : '';
    lines.push(`  droplets: ${d.total}${counts ? ` (${counts})` : ''}${generations}${lookalikes}`);
  }
  const lock = r.lock;
  const holder = lock.op ? `${lock.op} since ${lock.since}, until ${lock.until}` : lock.name;
  const expired = lock.expired ? ' — expired, taken over by the next deploy, edit or teardown' : '';
  const paused = lock.paused && !lock.expired ? ' — paused: kept for the next call of that operation' : '';
  lines.push(`  lock: ${lock.held ? `held by ${holder}${expired}${paused}` : 'free'}`);
  for (const w of report.warnings) lines.push(`  ! ${w}`);
  return lines.join('\n');
}
