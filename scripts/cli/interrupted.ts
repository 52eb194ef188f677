/**
 * What an interrupted operation tells the person who stopped it: what it changed, what it did not
 * get to, whether the deployment's lock is free, and what to run next. Pure, from the report.
 */
import type { LockHolder } from '../../lib/lock/holder.js';
import type { OpReport } from '../../lib/ops/types.js';
import { heldLocksText, type InterruptCause } from './interrupt.js';

const CAUSE_WORD: Record<InterruptCause, string> = {
  SIGINT: 'interrupted (Ctrl-C)',
  SIGTERM: 'terminated (SIGTERM)',
  EPIPE: 'stopped (its output was closed)',
};

const LIST_AT_MOST = 8;

function list(items: readonly string[]): string {
  const shown = items.slice(0, LIST_AT_MOST).join(', ');
  return items.length > LIST_AT_MOST ? `${shown} and ${items.length - LIST_AT_MOST} more` : shown;
}

/** `npm run invoke -- deploy --env staging`: the command to continue, never echoing other flags (they may hold secrets). */
export function commandFor(op: string, env: unknown): string {
  const envFlag = typeof env === 'string' && /^[a-z0-9][a-z0-9-]*$/.test(env) ? ` --env ${env}` : '';
  return `npm run invoke -- ${op}${envFlag}`;
}

export interface InterruptedFacts {
  op: string;
  cause: InterruptCause;
  /** The report, when the operation answered; undefined when it ended in an error. */
  report: OpReport | undefined;
  /** Locks still held once it ended (lib/interrupt.ts). */
  held: ReadonlyMap<string, LockHolder>;
  env: unknown;
}

/** Pure: the lines printed on stderr once an interrupted operation has wound down. */
export function interruptedText(facts: InterruptedFacts): string {
  const { op, report } = facts;
  const subject = report?.deployment ? `${op} ${report.deployment}` : op;
  const lines = [`${subject} was ${CAUSE_WORD[facts.cause]} before it finished.`];
  if (report) {
    const done = report.audit
      .filter((r) => r.outcome === 'ok' && !r.resource.startsWith('lock '))
      .map((r) => `${r.action} ${r.resource}`);
    const planned = ((report.result as { plan?: unknown } | undefined)?.plan ?? []) as {
      kind?: string;
      action?: string;
      name?: string;
    }[];
    const notDone = planned
      .map((s) => `${s.action} ${String(s.kind).replace('_', ' ')} ${s.name}`)
      .filter((step) => !done.includes(step));
    lines.push(done.length === 0 ? 'Changed: nothing.' : `Changed: ${list(done)}.`);
    if (notDone.length > 0) lines.push(`Not done: ${list(notDone)}.`);
  } else {
    lines.push('What it changed before it stopped is in the log lines above.');
  }
  const held = heldLocksText(facts.held);
  const mutating = op === 'deploy' || op === 'edit' || op === 'teardown' || op === 'maintain';
  if (held) lines.push(held.trimEnd());
  else if (mutating)
    lines.push('The deployment lock is released: the next deploy, edit or teardown starts at once.');
  const again = commandFor(op, facts.env);
  if (op === 'edit') {
    lines.push(
      `Next: run the same edit again to finish it, or \`${commandFor('deploy', facts.env)}\` to bring the deployment back to deployment.yml.`,
    );
  } else if (mutating) {
    lines.push(
      `Next: run \`${again}\` (with the same flags) to finish; it continues from what DigitalOcean has.`,
    );
  }
  return `${lines.join('\n')}\n`;
}
