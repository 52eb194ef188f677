import { describe, expect, it } from 'vitest';
import { AuditTrail } from '../../lib/log/audit.js';
import { createLogger } from '../../lib/log/logger.js';
import { REDACTED, Redactor } from '../../lib/log/redact.js';
import { ManualClock } from './manual-clock.js';

const SECRET = 'super-secret-env-value-42';

function setup() {
  const lines: string[] = [];
  const clock = new ManualClock();
  const logger = createLogger({
    sink: (line) => lines.push(line),
    level: 'error',
    redactor: new Redactor().add(SECRET),
    clock,
  });
  return { lines, clock, audit: new AuditTrail(logger, clock) };
}

describe('AuditTrail', () => {
  it('stamps each record with the clock time, writes it as an audit line and keeps it', async () => {
    const { lines, clock, audit } = setup();
    audit.record({
      op: 'deploy',
      deployment: 'base2-staging',
      resource: 'droplet base2-staging-web-1',
      action: 'create',
      outcome: 'ok',
      request_id: 'req-1',
    });
    await clock.advance(1500);
    audit.record({
      op: 'deploy',
      deployment: 'base2-staging',
      resource: 'firewall',
      action: 'update',
      outcome: 'skipped',
    });

    expect(audit.records()).toEqual([
      {
        time: '2025-01-02T03:04:05.000Z',
        op: 'deploy',
        deployment: 'base2-staging',
        resource: 'droplet base2-staging-web-1',
        action: 'create',
        outcome: 'ok',
        request_id: 'req-1',
      },
      {
        time: '2025-01-02T03:04:06.500Z',
        op: 'deploy',
        deployment: 'base2-staging',
        resource: 'firewall',
        action: 'update',
        outcome: 'skipped',
      },
    ]);
    // Written although the logger's level is `error`: audit lines are never filtered out.
    expect(lines.map((line) => JSON.parse(line))).toEqual([
      expect.objectContaining({ level: 'info', msg: 'audit', action: 'create', request_id: 'req-1' }),
      expect.objectContaining({
        msg: 'audit',
        action: 'update',
        outcome: 'skipped',
        time: '2025-01-02T03:04:06.500Z',
      }),
    ]);
  });

  it('masks secrets in both the log line and the kept record', () => {
    const { lines, audit } = setup();
    const returned = audit.record({
      op: 'edit',
      deployment: 'base2-prod',
      resource: 'app base2-prod',
      action: 'update env',
      outcome: 'failed',
      detail: `set API_KEY=${SECRET}`,
    });
    expect(returned.detail).toBe(`set API_KEY=${REDACTED}`);
    expect(audit.records()[0]?.detail).toBe(`set API_KEY=${REDACTED}`);
    expect(lines.join('\n')).not.toContain(SECRET);
  });

  it('returns copies, so callers cannot rewrite history', () => {
    const { audit } = setup();
    audit.record({ op: 'teardown', deployment: 'd', resource: 'r', action: 'delete', outcome: 'ok' });
    const first = audit.records();
    (first[0] as { outcome: string }).outcome = 'failed';
    first.pop();
    expect(audit.records()).toHaveLength(1);
    expect(audit.records()[0]?.outcome).toBe('ok');
  });
});
