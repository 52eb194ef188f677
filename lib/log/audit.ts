/**
 * The audit trail: one structured record per mutating call, written to the function log as a JSON
 * line (msg "audit") and kept so the operation can return them in its result.
 */
import type { Clock } from '../clock.js';
import type { Logger } from './logger.js';
import type { Redactor } from './redact.js';

export type AuditOutcome = 'ok' | 'failed' | 'skipped';

export interface AuditEntry {
  op: string;
  /** `<name>-<environment>`, e.g. `base2-staging`. */
  deployment: string;
  /** What was acted on, e.g. `droplet base2-staging-web-1` or `app 5f3c…`. */
  resource: string;
  /** What was done, e.g. `create`, `delete`, `update`. */
  action: string;
  outcome: AuditOutcome;
  /** DigitalOcean's `x-request-id` for the call, when there was one. */
  request_id?: string;
  detail?: string;
}

export interface AuditRecord extends AuditEntry {
  /** ISO 8601, from the clock. */
  time: string;
}

export class AuditTrail {
  private readonly kept: AuditRecord[] = [];
  private readonly redactor: Redactor;

  /**
   * Kept records are masked with the logger's redactor unless another is given: they are returned
   * to callers, so they must be as clean as the log lines.
   */
  constructor(
    private readonly logger: Logger,
    private readonly clock: Clock,
    redactor?: Redactor,
  ) {
    this.redactor = redactor ?? logger.redactor;
  }

  record(entry: AuditEntry): AuditRecord {
    const record = this.redactor.redactDeep({
      time: new Date(this.clock.now()).toISOString(),
      op: entry.op,
      deployment: entry.deployment,
      resource: entry.resource,
      action: entry.action,
      outcome: entry.outcome,
      ...(entry.request_id === undefined ? {} : { request_id: entry.request_id }),
      ...(entry.detail === undefined ? {} : { detail: entry.detail }),
    });
    this.kept.push(record);
    // Audit lines are written whatever the log level: they are the record of what changed.
    this.logger.always('audit', { ...record });
    return { ...record };
  }

  /** Every record so far, oldest first (copies: callers cannot rewrite history). */
  records(): AuditRecord[] {
    return this.kept.map((record) => ({ ...record }));
  }
}
