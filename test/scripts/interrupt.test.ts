import { describe, expect, it } from 'vitest';
import { systemClock } from '../../lib/clock.js';
import { createDeadline } from '../../lib/deadline.js';
import type { OpReport } from '../../lib/ops/types.js';
import { heldLocksText, interruptibleDeadline } from '../../scripts/cli/interrupt.js';
import { commandFor, interruptedText } from '../../scripts/cli/interrupted.js';

const report = (audit: { resource: string; action: string; outcome: 'ok' | 'failed' }[]): OpReport =>
  ({
    op: 'deploy',
    deployment: 'base2-staging',
    status: 'failed',
    result: {
      plan: [
        { kind: 'ssh_key', action: 'create', name: 'base2-staging-key' },
        { kind: 'droplet', action: 'create', name: 'base2-staging-1' },
      ],
    },
    warnings: [],
    audit: audit.map((a) => ({ time: '', op: 'deploy', deployment: 'base2-staging', ...a })),
    api_calls: { total: 0, mutating: 0 },
    tool_time_ms: 0,
    wall_time_ms: 0,
    platform_wait_ms: 0,
  }) as unknown as OpReport;

describe('what an interrupted CLI says', () => {
  it('lists what was changed and what was not, leaving the lock out of the changes', () => {
    const text = interruptedText({
      op: 'deploy',
      cause: 'SIGINT',
      env: 'staging',
      held: new Map(),
      report: report([
        { resource: 'lock base2-staging', action: 'acquire', outcome: 'ok' },
        { resource: 'ssh key base2-staging-key', action: 'create', outcome: 'ok' },
      ]),
    });
    expect(text).toContain('deploy base2-staging was interrupted (Ctrl-C) before it finished.');
    expect(text).toContain('Changed: create ssh key base2-staging-key.');
    expect(text).toContain('Not done: create droplet base2-staging-1.');
    expect(text).toContain('The deployment lock is released');
    expect(text).toContain('Next: run `npm run invoke -- deploy --env staging`');
  });

  it('names a lock it could not give back, and never echoes flags other than a plain --env', () => {
    const held = new Map([['base2-staging', { op: 'edit', holder: '3f9a0c1d', since: 0, until: 120_000 }]]);
    const text = interruptedText({ op: 'edit', cause: 'SIGTERM', env: 'staging', held, report: undefined });
    expect(text).toContain('The lock of base2-staging was not confirmed released (edit 3f9a0c1d since');
    expect(text).not.toContain('The deployment lock is released');
    expect(heldLocksText(new Map())).toBe('');
    expect(commandFor('deploy', 'staging; rm -rf /')).toBe('npm run invoke -- deploy');
  });

  it('an interrupt ends the deadline at once, and its signal says why', () => {
    const stop = new AbortController();
    const deadline = interruptibleDeadline(createDeadline(systemClock, 60_000), stop.signal);
    expect(deadline.expired()).toBe(false);
    stop.abort(new Error('interrupted'));
    expect(deadline.expired()).toBe(true);
    expect(deadline.remainingMs()).toBe(0);
    expect((deadline.signal.reason as Error).message).toBe('interrupted');
  });
});
