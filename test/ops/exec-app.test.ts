import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../lib/clock.js';
import { InputError } from '../../lib/errors.js';
import { type ExecResult, execOperation } from '../../lib/ops/exec/index.js';
import { renderExec } from '../../lib/ops/exec/render.js';
import { runOperation } from '../../lib/ops/run.js';
import type { OpReport } from '../../lib/ops/types.js';
import { startTestEmulator, type TestEmulator } from '../support/emulator.js';
import { ROOT, SAMPLE_ENV } from '../support/op-context.js';

/** exec in an App Platform component, end to end: the exec URL from the API, then the console websocket. */
let t: TestEmulator;
const SLUG = 'base2-staging';
/** The app spec's SECRET value (BASE2_SECRET_KEY in .do/app.yaml), planted to check it never shows. */
const SECRET = 'planted-app-secret-7f3a9c';
const logs: string[] = [];
let instances: string[];

function exec(input: Record<string, unknown>): Promise<OpReport<ExecResult>> {
  return runOperation(
    execOperation,
    { env: 'staging', ...input },
    {
      envSource: {
        DIGITALOCEAN_TOKEN: t.emu.token,
        DIGITALOCEAN_API_URL: t.emu.apiUrl,
        DIGITALOCEAN_CA_FILE: t.emu.caCertPath,
        BASE2_SECRET_KEY: SECRET,
        ...SAMPLE_ENV,
      },
      cwd: ROOT,
      clock: systemClock,
      random: Math.random,
      logSink: (line) => logs.push(line),
    },
  );
}

async function failure(input: Record<string, unknown>): Promise<Error> {
  return exec(input).then(
    (report) => {
      throw new Error(`expected exec to fail, it returned ${JSON.stringify(report.result)}`);
    },
    (error: Error) => error,
  );
}

beforeAll(async () => {
  t = await startTestEmulator();
  await t.dots.v2.registry.post({ name: 'base2-tests', subscriptionTierSlug: 'basic', region: 'nyc3' });
  await t.admin('POST', '/_emulator/registry/images', { repository: 'base2', tag: 'latest' });
  const created = await t.dots.v2.apps.post({
    spec: {
      name: SLUG,
      region: 'nyc',
      services: [
        {
          name: 'web',
          image: { registryType: 'DOCR', repository: 'base2', tag: 'latest' },
          httpPort: 8080,
          instanceCount: 2,
          instanceSizeSlug: 'apps-s-1vcpu-1gb',
          envs: [{ key: 'BASE2_SECRET_KEY', value: SECRET, type: 'SECRET', scope: 'RUN_TIME' }],
        },
      ],
      staticSites: [{ name: 'docs', github: { repo: 'base2/docs', branch: 'main' } }],
    },
  } as never);
  await t.admin('POST', '/_emulator/clock', { advance_ms: 200_000 });
  const listed = await t.dots.v2.apps.byApp_Id(created!.app!.id!).instances.get();
  instances = (listed?.instances ?? []).map((i) => i.instanceName!).sort();
});
afterAll(async () => {
  await t?.stop();
});

describe('exec in an app component (console)', () => {
  it('returns the output with stderr merged (stderr: null) and the exit code the markers carry', async () => {
    const report = await exec({ target: 'app/web', command: 'echo out; echo err >&2; exit 4' });
    expect(report.status).toBe('failed');
    expect(report.deployment).toBe(SLUG);
    expect(report.result.results).toEqual([
      {
        target: 'app/web',
        stdout: 'out\nerr\n',
        stderr: null,
        exit_code: 4,
        duration_ms: expect.any(Number),
        truncated: false,
      },
    ]);
    expect(report.audit).toMatchObject([{ resource: `app ${SLUG} app/web`, action: 'exec', outcome: 'ok' }]);
  });

  it('gives back exactly what the command printed: no echo, no prompt, LF line ends, quotes intact', async () => {
    const command = `printf '%s|' "it's" '100%' 'back\\slash'; printf '\\n\\tindented\\nno newline at end'`;
    const report = await exec({ target: 'app/web', command });
    expect(report.status).toBe('succeeded');
    expect(report.result.results[0]?.stdout).toBe("it's|100%|back\\slash|\n\tindented\nno newline at end");
    expect(report.result.results[0]?.exit_code).toBe(0);
  });

  it('runs in the instance named by the target or by `instance`', async () => {
    const second = instances[1]!;
    const byTarget = await exec({ target: `app/web/${second}`, command: 'echo "$HOSTNAME"' });
    expect(byTarget.result.results[0]).toMatchObject({ target: `app/web/${second}`, stdout: `${second}\n` });
    const byField = await exec({ target: 'app/web', instance: instances[0], command: 'echo "$HOSTNAME"' });
    expect(byField.result.results[0]?.stdout).toBe(`${instances[0]}\n`);
  });

  it('names the running instances when the one asked for is not', async () => {
    const error = await failure({ target: 'app/web/web-gone-00000', command: 'true' });
    expect(error).toBeInstanceOf(InputError);
    expect(error.message).toContain(`running instances: ${instances.join(', ')}`);
  });

  it('refuses a component without instances or that does not exist, listing valid targets', async () => {
    for (const component of ['docs', 'api']) {
      const error = await failure({ target: `app/${component}`, command: 'true' });
      expect(error).toBeInstanceOf(InputError);
      expect(error.message).toContain(
        `app ${SLUG} has no service or worker named ${component}; valid targets: app/web`,
      );
    }
  });

  it('says so when the deployment has nothing to run in', async () => {
    const error = await failure({ env: 'production', target: 'app/web', command: 'true' });
    expect(error.message).toContain(
      'base2-production has no app; base2-production has nothing to run commands in yet',
    );
  });

  it('stops a command at its timeout, reporting for its component what it printed and the timeout', async () => {
    const started = Date.now();
    const report = await exec({
      target: 'app/web',
      command: 'echo begun; printf "no newline"; sleep 30',
      timeout: 1,
    });
    expect(report.status).toBe('failed');
    expect(report.result.results).toEqual([
      {
        target: 'app/web',
        stdout: 'begun\nno newline',
        stderr: null,
        exit_code: null,
        duration_ms: expect.any(Number),
        truncated: false,
        timed_out: true,
        error: expect.stringMatching(
          new RegExp(`^The command in app/web of ${SLUG} did not finish within 1 s and was stopped\\. Raise`),
        ),
      },
    ]);
    expect(renderExec(report)).toMatch(/begun\n {2}no newline\nstopped at its timeout/);
    expect(report.audit).toMatchObject([
      { resource: `app ${SLUG} app/web`, action: 'exec', outcome: 'failed' },
    ]);
    expect(Date.now() - started).toBeLessThan(4_000);
  });

  it('caps the output and marks it truncated', async () => {
    const report = await exec({
      target: 'app/web',
      command: "head -c 4000 /dev/zero | tr '\\0' y",
      max_output_bytes: 500,
    });
    expect(report.result.results[0]).toMatchObject({
      stdout: `${'y'.repeat(500)}\n[output truncated: 3500 more bytes not kept]\n`,
      truncated: true,
      exit_code: 0,
    });
  });

  it('reports exit code 127 as command not found', async () => {
    const report = await exec({ target: 'app/web', command: 'no-such-tool' });
    expect(report.result.results[0]).toMatchObject({
      exit_code: 127,
      error: expect.stringMatching(/^command not found/),
    });
  });

  it('never shows the app’s SECRET values or the console URL token', async () => {
    const before = logs.length;
    const report = await exec({ target: 'app/web', command: 'echo "key=$BASE2_SECRET_KEY"' });
    expect(report.result.results[0]?.stdout).toBe('key=[REDACTED]\n');
    const text = JSON.stringify(report) + logs.slice(before).join('\n');
    expect(text).not.toContain(SECRET);
    expect(text).not.toMatch(/token=/);
  });
});
