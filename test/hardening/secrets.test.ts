import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ed25519KeyPair } from '../../lib/exec/keys.js';
import type { ExecResult } from '../../lib/ops/exec/index.js';
import { operations } from '../../lib/ops/index.js';
import type { AnyOperation } from '../../lib/ops/types.js';
import { operationFunction } from '../../lib/web/operation.js';
import { ROOT } from '../support/op-context.js';
import { functionContext, webEvent } from '../web/fixtures/events.js';
import { spawnInvoke } from './child.js';
import { type Attempt, type Harness, startHarness } from './harness.js';
import { expectNoCutSecret, expectNoSecrets, FORM_NAMES } from './secret-forms.js';
import { Tally } from './tally.js';

const tally = new Tally(import.meta.filename);
const keys = ed25519KeyPair();
const SECRET_ENV = 'planted-app-secret-4b7e19c0d2a8f6e3';
const WEB_SECRET = 'planted-web-secret-9c2e7a41f08d6b35e1c4a7f2';
/** A SECRET env value that only ever arrives through an edit's input. */
const EDIT_SECRET = 'planted-edit-secret-70d3c5a9e1b8f246';
/** The SECRET env value after a rotation: deploy rolls it out, maintain sees it differ. */
const ROTATED_SECRET = 'planted-rotated-secret-5e81b2f09c4d7a36';
const outputs: string[] = [];
let h: Harness;
let planted: Record<string, string>;

const ops = operations as Record<string, AnyOperation>;

function plantedEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    BASE2_SECRET_KEY: SECRET_ENV,
    DO_SSH_PRIVATE_KEY: keys.private,
    DO_SSH_PUBLIC_KEY: keys.public,
    OPS_WEB_SECRET: WEB_SECRET,
    ...extra,
  };
}

/** Everything a run showed anyone: the report, each log line, audit record and progress update, or the error. */
function record(attempt: Attempt): Attempt {
  if (attempt.report) {
    outputs.push(JSON.stringify(attempt.report), ...attempt.report.audit.map((a) => JSON.stringify(a)));
  }
  if (attempt.error) {
    const e = attempt.error;
    outputs.push(e.message, e.describe(), JSON.stringify(e.toJSON()), String(e), String(e.stack ?? ''));
  }
  outputs.push(...attempt.logs, ...attempt.progress.map((p) => JSON.stringify(p)));
  return attempt;
}

async function run(
  name: string,
  input: Record<string, unknown>,
  options: { env?: Record<string, string>; timeoutMs?: number } = {},
) {
  const operation = ops[name];
  if (!operation) throw new Error(`no operation ${name}`);
  return record(await h.run(operation, input, { ...options, env: plantedEnv(options.env) }));
}

beforeAll(async () => {
  h = await startHarness();
  await h.reset();
  planted = {
    'the API token': h.t.emu.token,
    'the SSH private key': keys.private,
    'the web secret': WEB_SECRET,
    'the SECRET env value': SECRET_ENV,
    'the SECRET value an edit sets': EDIT_SECRET,
    'the rotated SECRET env value': ROTATED_SECRET,
  };
});
afterAll(async () => {
  await h?.stop();
  tally.publish();
});

describe('no planted secret reaches any output', () => {
  it('the scan finds a planted secret in each of its forms (a control)', () => {
    for (const text of [
      `token=${Buffer.from(SECRET_ENV).toString('base64')}`,
      `?k=${encodeURIComponent(keys.private)}`,
      `"key":"${JSON.stringify(keys.private).slice(1, -1)}"`,
      keys.private.split('\n')[2] ?? '',
    ]) {
      expect(() =>
        expectNoSecrets([text], { planted: text.includes('token') ? SECRET_ENV : keys.private }),
      ).toThrow(/leaked/);
    }
  });

  it('every operation, through success and failure, in-process', async () => {
    expect((await run('deploy', { env: 'staging' })).report?.status).toBe('succeeded');
    await run('deploy', { env: 'staging', dry_run: true });
    const secretEnv = { API_TOKEN_X: { value: EDIT_SECRET, type: 'SECRET' } };
    expect((await run('edit', { env: 'staging', set_env: secretEnv, dry_run: true })).report?.status).toBe(
      'succeeded',
    );
    expect((await run('edit', { env: 'staging', set_env: secretEnv })).report?.status).toBe('succeeded');
    await h.faults([{ kind: 'build', image: 'base2:1.5.0', phase: 'deploy', count: 1 }]);
    const restored = await run('edit', {
      env: 'staging',
      image_tag: '1.5.0',
      set_env: { API_TOKEN_Y: { value: EDIT_SECRET, type: 'SECRET' } },
    });
    expect(restored.report?.status).toBe('failed');
    await h.clearFaults();
    expect(
      (await run('edit', { env: 'staging', set_env: { BAD: { value: EDIT_SECRET, type: 'NOPE' } } })).error
        ?.kind,
    ).toBe('input');
    await run('maintain', { env: 'staging' });
    await run('maintain', { env: 'staging', report_only: true });
    await run('status', { env: 'staging' });
    await run('info', {});
    await run('info', { scope: 'account' });
    const statusOf = (a: Attempt) => a.report?.status ?? a.error?.kind;
    expect(statusOf(await run('exec', { target: 'droplets', command: 'echo hello; echo oops >&2' }))).toBe(
      'succeeded',
    );
    expect(statusOf(await run('exec', { target: 'app/web', command: 'echo hello' }))).toBe('succeeded');
    expect(statusOf(await run('exec', { target: 'droplets', command: 'exit 3' }))).toBe('failed');
    expect(statusOf(await run('exec', { target: 'droplets', command: 'sleep 30', timeout: 1 }))).toBe(
      'failed',
    );

    await h.faults([{ kind: 'build', image: 'base2:1.5.0', phase: 'build', count: 1 }]);
    expect((await run('deploy', { env: 'staging', image_tag: '1.5.0' })).report?.status).toBe('failed');
    await h.faults([{ method: 'POST', path: '/v2/droplets', mode: 'error', status: 500 }]);
    expect((await run('deploy', { env: 'staging', image_tag: '1.4.2' })).report?.status).toBe('failed');
    await h.clearFaults();
    await h.faults([{ method: 'GET', path: '/v2/droplets', mode: 'error', status: 401, count: 1 }]);
    expect((await run('deploy', { env: 'staging' })).error?.kind).toBe('api');
    await h.clearFaults();
    // A minute later for the tool, so only the deadline (not the per-minute budget) stops this one.
    h.advance(60_000);
    const late = await run('deploy', { env: 'staging', image_tag: '1.4.2' }, { timeoutMs: 0 });
    expect(late.report?.status).toBe('in_progress');
    const racing = await Promise.all([
      run('deploy', { env: 'staging', image_tag: 'latest', lock_wait: 0 }),
      run('deploy', { env: 'staging', image_tag: '1.5.0', lock_wait: 0 }),
    ]);
    expect(racing.some((r) => r.error?.kind === 'conflict')).toBe(true);
    // The cut deploy kept the deployment locked for its next call, which continues it with its token.
    const resume = (late.report?.result as { resume?: string } | undefined)?.resume;
    const resumed = await run('deploy', { env: 'staging', image_tag: '1.4.2', resume });
    expect(resumed.report?.status).toMatch(/^(succeeded|noop)$/);

    expect((await run('deploy', { env: '../../etc/passwd' })).error?.kind).toBe('input');
    expect((await run('info', {}, { env: { DIGITALOCEAN_TOKEN: `${h.t.emu.token}0` } })).error?.kind).toBe(
      'config',
    );
    const brokenKey = keys.private.replace('-----END', '-----FINISH');
    expect(
      (await run('exec', { target: 'droplets', command: 'true' }, { env: { DO_SSH_PRIVATE_KEY: brokenKey } }))
        .error?.kind,
    ).toBe('config');

    await h.faults([{ method: 'DELETE', path: '/v2/apps/*', mode: 'error', status: 500 }]);
    expect((await run('teardown', { env: 'staging' })).report?.status).toBe('failed');
    await h.clearFaults();
    expect((await run('teardown', { env: 'staging' })).report?.status).toBe('succeeded');
    expect((await run('teardown', { env: 'staging' })).report?.status).toBe('noop');

    await tally.check('secret_scan', () => expectNoSecrets(outputs, planted));
  });

  it('output an exec cap or timeout cuts through a secret ends with none of it, in any form', async () => {
    expect((await run('deploy', { env: 'staging' })).report?.status).toBe('succeeded');
    // Once every droplet answers SSH, a timeout strikes while the command runs, not while connecting
    // (30 s on the harness's clock, ten times faster than real time).
    expect((await run('exec', { target: 'droplets', command: 'true' })).report?.status).toBe('succeeded');
    // Output caps and timeouts that cut a secret in its plain and base64 forms: nothing of it at the cut.
    const base64 = Buffer.from(SECRET_ENV).toString('base64');
    const cuts: { target: string; form: string; shown: number; timeout?: number }[] = [
      ...[4, 20].flatMap((shown) => [
        { target: 'droplets', form: SECRET_ENV, shown },
        { target: 'droplets', form: base64, shown },
      ]),
      { target: 'app/web', form: SECRET_ENV, shown: 16 },
      { target: 'droplets', form: SECRET_ENV, shown: 16, timeout: 30 },
      { target: 'app/web', form: base64, shown: 20, timeout: 30 },
    ];
    for (const cut of cuts) {
      const input = cut.timeout
        ? {
            target: cut.target,
            command: `printf 'head-%s' '${cut.form.slice(0, cut.shown)}'; sleep 30`,
            timeout: cut.timeout,
          }
        : {
            target: cut.target,
            command: `printf 'head-%s tail' '${cut.form}'`,
            max_output_bytes: 5 + cut.shown,
          };
      const attempt = await run('exec', input);
      // A timeout is reported per target, with the output printed before it.
      const texts = (attempt.report?.result as ExecResult | undefined)?.results.map((r) => r.stdout) ?? [];
      await tally.check('secret_scan', () => {
        // A target still connecting when its timeout struck printed nothing, but one at least printed.
        expect(
          texts.some((text) => text.startsWith('head-')),
          JSON.stringify(texts),
        ).toBe(true);
        for (const text of texts) expectNoCutSecret(text, { 'the SECRET env value': SECRET_ENV });
      });
    }
    expect((await run('teardown', { env: 'staging' })).report?.status).toBe('succeeded');
  }, 120_000);

  it('a rotated SECRET: the drift maintain reports, the roll-out deploy plans, an edit to the same value, a published default', async () => {
    await h.reset();
    const before = outputs.length;
    const rotated = { env: { BASE2_SECRET_KEY: ROTATED_SECRET } };
    expect((await run('deploy', { env: 'staging' })).report?.status).toBe('succeeded');
    const drift = await run('maintain', { env: 'staging', report_only: true }, rotated);
    expect(JSON.stringify(drift.report?.result)).toContain('BASE2_SECRET_KEY: SECRET value changed');
    await run('deploy', { env: 'staging', dry_run: true }, rotated);
    expect((await run('deploy', { env: 'staging' }, rotated)).report?.status).toBe('succeeded');
    const same = { BASE2_SECRET_KEY: { value: ROTATED_SECRET, type: 'SECRET' } };
    expect((await run('edit', { env: 'staging', set_env: same }, rotated)).report?.status).toBe('noop');
    // An empty variable takes the default .do/app.yaml publishes: deploy says so, loudly.
    const published = await run('deploy', { env: 'staging' }, { env: { BASE2_SECRET_KEY: '' } });
    expect(published.report?.warnings?.join('\n')).toMatch(/PUBLISHED SECRET/);
    await run('info', {}, { env: { BASE2_SECRET_KEY: '' } });
    expect((await run('teardown', { env: 'staging' })).report?.status).toBe('succeeded');
    await tally.check('secret_scan', () => expectNoSecrets(outputs.slice(before), planted));
  }, 120_000);

  it('through the web function: a run, a refusal and a failure, with the function log', async () => {
    const texts: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      texts.push(String(chunk));
      return true;
    });
    try {
      const env = { ...h.env(plantedEnv()), DEPLOY_ENV: 'staging' };
      const context = functionContext(() => Date.now(), 120_000);
      for (const [name, params] of [
        ['deploy', { env: 'staging' }],
        [
          'edit',
          {
            env: 'staging',
            set_env: JSON.stringify({ API_TOKEN_Z: { value: EDIT_SECRET, type: 'SECRET' } }),
          },
        ],
        ['status', { env: 'staging' }],
        ['info', { scope: 'account' }],
        ['teardown', { env: 'staging' }],
        ['deploy', { env: 'nowhere' }],
      ] as const) {
        const main = operationFunction(ops[name]!, { root: ROOT, env });
        texts.push(JSON.stringify(await main(webEvent({ params, secret: WEB_SECRET }), context)));
        texts.push(JSON.stringify(await main(webEvent({ params, secret: `${WEB_SECRET}x` }), context)));
        texts.push(JSON.stringify(await main({ ...params }, context)));
      }
    } finally {
      write.mockRestore();
    }
    outputs.push(...texts);
    await tally.check('secret_scan', () => expectNoSecrets(texts, planted));
  });

  it('through the CLI: stdout and stderr of a dry run and of a refused run', async () => {
    const texts: string[] = [];
    for (const args of [
      ['deploy', '--env', 'staging', '--dry-run'],
      ['deploy', '--env', 'nowhere'],
    ]) {
      const child = spawnInvoke(args, h.env(plantedEnv()));
      const code = await child.exited;
      expect(code, child.output()).toBe(args.includes('nowhere') ? 2 : 0);
      texts.push(child.output());
    }
    outputs.push(...texts);
    await tally.check('secret_scan', () => expectNoSecrets(texts, planted));
    tally.scanned(Object.keys(planted).length, FORM_NAMES.length, outputs.length);
    expect(outputs.length).toBeGreaterThan(100);
  });
});
