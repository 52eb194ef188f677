import type { App, Droplet } from '@digitalocean/dots';
import { describe, expect, it } from 'vitest';
import { OWNER_TAG } from '../../lib/config/identity.js';
import { parseInput } from '../../lib/config/input.js';
import { InputError } from '../../lib/errors.js';
import { ExecError, ExecTimeoutError } from '../../lib/exec/errors.js';
import { execInputSchema, parseTarget, targetOf } from '../../lib/ops/exec/input.js';
import { renderExec } from '../../lib/ops/exec/render.js';
import { type ExecResult, failedTargetResult, isSuccess, toTargetResult } from '../../lib/ops/exec/result.js';
import { consoleComponents, sortDroplets, validTargets } from '../../lib/ops/exec/targets.js';
import type { OpReport } from '../../lib/ops/types.js';

const parse = (raw: Record<string, unknown>) => parseInput(execInputSchema, raw, 'The exec input');

describe('exec input', () => {
  it('parses the target grammar strictly', () => {
    expect(parseTarget('droplets')).toEqual({ kind: 'droplets' });
    expect(parseTarget('base2-staging-1')).toEqual({ kind: 'droplet', name: 'base2-staging-1' });
    expect(parseTarget('app/web')).toEqual({ kind: 'app', component: 'web' });
    expect(parseTarget('app/web/web-6f9d7c8b5-x2kqp')).toEqual({
      kind: 'app',
      component: 'web',
      instance: 'web-6f9d7c8b5-x2kqp',
    });
    for (const bad of [
      '',
      ' droplets',
      'a b',
      'x;y',
      '$(id)',
      'app/',
      'app/Web',
      'app/web/',
      'app/w/x/y',
      '-x',
      'x-',
    ]) {
      expect(parseTarget(bad), bad).toBeUndefined();
    }
  });

  it('fills the defaults and takes numbers as CLI and web parameters send them', () => {
    expect(parse({ target: 'droplets', command: 'uptime' })).toMatchObject({
      timeout: 60,
      max_output_bytes: 65536,
      dry_run: false,
    });
    expect(
      parse({ target: 'droplets', command: 'x', timeout: '90s', max_output_bytes: '100' }),
    ).toMatchObject({
      timeout: 90,
      max_output_bytes: 100,
    });
  });

  it('names every problem with its field, never echoing the command', () => {
    let error: InputError | undefined;
    try {
      parse({ target: 'bad target', command: '', timeout: 901, max_output_bytes: 0, instance: 'x' });
    } catch (e) {
      error = e as InputError;
    }
    expect(error).toBeInstanceOf(InputError);
    expect(error!.problems.map((p) => p.path).sort()).toEqual([
      'command',
      'instance',
      'max_output_bytes',
      'target',
      'timeout',
    ]);
    expect(error!.problems.find((p) => p.path === 'timeout')?.message).toBe(
      'must be a whole number of seconds from 1 to 900',
    );
  });

  it('takes the instance from the field or the target, but not two different ones', () => {
    expect(targetOf(parse({ target: 'app/web', instance: 'web-1', command: 'x' }))).toEqual({
      kind: 'app',
      component: 'web',
      instance: 'web-1',
    });
    expect(() => parse({ target: 'app/web/web-1', instance: 'web-2', command: 'x' })).toThrow(
      /names another instance/,
    );
    expect(() => parse({ target: 'droplets', instance: 'web-1', command: 'x' })).toThrow(
      /only applies to an app/,
    );
  });
});

describe('exec targets (pure)', () => {
  const droplet = (name: string, tags: string[], status = 'active'): Droplet =>
    ({
      id: name.length,
      name,
      status,
      tags,
      networks: {
        v4: [
          { type: 'private', ipAddress: '10.0.0.2' },
          { type: 'public', ipAddress: '203.0.113.9' },
        ],
      },
    }) as unknown as Droplet;

  it('keeps owned droplets apart from look-alikes that only carry the slug', () => {
    const sorted = sortDroplets(
      [
        droplet('base2-staging-1', ['base2-staging', OWNER_TAG]),
        droplet('base2-staging-x', ['base2-staging']),
      ],
      'base2-staging',
    );
    expect(sorted.owned).toEqual([
      { kind: 'droplet', target: 'base2-staging-1', id: 15, status: 'active', host: '203.0.113.9' },
    ]);
    expect(sorted.foreign.map((d) => d.target)).toEqual(['base2-staging-x']);
  });

  it('offers services and workers of the app, and lists every valid target', () => {
    const app = {
      spec: { services: [{ name: 'web' }], workers: [{ name: 'queue' }], staticSites: [{ name: 'docs' }] },
    } as unknown as App;
    expect(consoleComponents(app)).toEqual(['web', 'queue']);
    const owned = sortDroplets(
      [droplet('b-2', ['b', OWNER_TAG]), droplet('b-1', ['b', OWNER_TAG])],
      'b',
    ).owned;
    expect(validTargets(owned, app)).toEqual(['b-1', 'b-2', 'droplets', 'app/web', 'app/queue']);
    expect(validTargets([], undefined)).toEqual([]);
  });
});

describe('exec results (pure)', () => {
  it('flattens a run, explaining exit code 127', () => {
    const run = { stdout: '', stderr: 'sh: x: not found\n', exitCode: 127, durationMs: 12, truncated: false };
    expect(toTargetResult('app/web', run)).toEqual({
      target: 'app/web',
      stdout: '',
      stderr: 'sh: x: not found\n',
      exit_code: 127,
      duration_ms: 12,
      truncated: false,
      error: 'command not found (exit code 127): check its spelling and that it is installed on the target',
    });
  });

  it('keeps what a timed-out command printed, and the sentence saying why it stopped', () => {
    const error = new ExecTimeoutError(
      'The command on droplet d did not finish within 1 s and was stopped.',
      {
        stdout: 'so far\n',
        stderr: '',
        truncated: false,
      },
    );
    expect(failedTargetResult('d', error, 1000)).toMatchObject({
      stdout: 'so far\n',
      exit_code: null,
      error: error.describe(),
    });
    const refused = failedTargetResult(
      'd',
      new ExecError('auth-refused', 'Droplet d refused the SSH key.'),
      5,
    );
    expect(refused).toMatchObject({
      stdout: '',
      stderr: null,
      exit_code: null,
      error: 'Droplet d refused the SSH key.',
    });
  });

  it('succeeds only when every target exited 0', () => {
    const ok = toTargetResult('a', { stdout: '', stderr: '', exitCode: 0, durationMs: 1, truncated: false });
    const bad = toTargetResult('b', { stdout: '', stderr: '', exitCode: 1, durationMs: 1, truncated: false });
    expect(isSuccess([ok, ok])).toBe(true);
    expect(isSuccess([ok, bad])).toBe(false);
    expect(isSuccess([])).toBe(false);
  });

  it('renders a header per target, the output, then how it ended', () => {
    const result: ExecResult = {
      dry_run: false,
      targets: ['base2-staging-1', 'app/web'],
      results: [
        {
          target: 'base2-staging-1',
          stdout: 'hello\n',
          stderr: 'careful\n',
          exit_code: 0,
          duration_ms: 1234,
          truncated: false,
          host_fingerprint: 'SHA256:abc',
        },
        {
          target: 'app/web',
          stdout: 'merged\n',
          stderr: null,
          exit_code: 2,
          duration_ms: 50,
          truncated: true,
        },
      ],
    };
    expect(renderExec({ result } as OpReport<ExecResult>)).toBe(
      [
        '── base2-staging-1 ──',
        'stdout:',
        '  hello',
        'stderr:',
        '  careful',
        'exit code 0 · 1.2 s · host key SHA256:abc',
        '',
        '── app/web ──',
        'output (stdout and stderr):',
        '  merged',
        'exit code 2 · 0.1 s · output truncated',
      ].join('\n'),
    );
  });
});

describe('exec on the command line', () => {
  it('takes --command-timeout as the command limit, since --timeout bounds the whole invocation', () => {
    const input = execInputSchema.parse({ target: 'droplets', command: 'uptime', command_timeout: '120' });
    expect(input.timeout).toBe(120);
  });
});
