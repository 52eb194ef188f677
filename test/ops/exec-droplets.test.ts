import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../lib/clock.js';
import { OWNER_TAG } from '../../lib/config/identity.js';
import { ConfigError, InputError, OperationError } from '../../lib/errors.js';
import { ExecError } from '../../lib/exec/errors.js';
import { type ExecResult, execOperation } from '../../lib/ops/exec/index.js';
import { renderExec } from '../../lib/ops/exec/render.js';
import { runOperation } from '../../lib/ops/run.js';
import type { OpReport } from '../../lib/ops/types.js';
import { startTestEmulator, type TestEmulator } from '../support/emulator.js';
import { ROOT, SAMPLE_ENV } from '../support/op-context.js';
import { ed25519KeyPair } from '../support/ssh-keys.js';

/** exec on the deployment's droplets, end to end: validated input, list calls, SSH into the emulator's droplets. */
let t: TestEmulator;
const pair = ed25519KeyPair('base2-staging');
const SLUG = 'base2-staging';
const logs: string[] = [];
let hostFingerprint: string;
const hostFingerprints: Record<string, string> = {};

function envSource(extra: Record<string, string> = {}): Record<string, string> {
  return {
    DIGITALOCEAN_TOKEN: t.emu.token,
    DIGITALOCEAN_API_URL: t.emu.apiUrl,
    DIGITALOCEAN_CA_FILE: t.emu.caCertPath,
    DO_SSH_PORT: String(t.emu.sshPort),
    DO_SSH_PRIVATE_KEY: pair.private,
    DEPLOY_ENV: 'staging',
    ...SAMPLE_ENV,
    ...extra,
  };
}

function exec(
  input: Record<string, unknown>,
  env: Record<string, string> = {},
): Promise<OpReport<ExecResult>> {
  return runOperation(execOperation, input, {
    envSource: envSource(env),
    cwd: ROOT,
    clock: systemClock,
    random: Math.random,
    logSink: (line) => logs.push(line),
  });
}

async function failure(input: Record<string, unknown>, env: Record<string, string> = {}): Promise<Error> {
  return exec(input, env).then(
    (report) => {
      throw new Error(`expected exec to fail, it returned ${JSON.stringify(report.result)}`);
    },
    (error: Error) => error,
  );
}

async function createDroplet(name: string, tags: string[]): Promise<number> {
  const keys = await t.dots.v2.account.keys.get();
  const answer = await t.dots.v2.droplets.post({
    name,
    region: 'nyc3',
    size: 's-1vcpu-1gb',
    image: 'debian-12-x64',
    sshKeys: [String(keys!.sshKeys![0]!.id)],
    tags,
  } as never);
  return (answer as { droplet: { id: number } }).droplet.id;
}

async function dropletStatus(id: number): Promise<string> {
  return String((await t.dots.v2.droplets.byDroplet_id(id).get())!.droplet!.status);
}

let third: number;

beforeAll(async () => {
  t = await startTestEmulator();
  await t.dots.v2.account.keys.post({ name: `${SLUG}-key`, publicKey: pair.public });
  await t.dots.v2.tags.post({ name: SLUG });
  await t.dots.v2.tags.post({ name: OWNER_TAG });
  await createDroplet(`${SLUG}-1`, [SLUG, OWNER_TAG]);
  await createDroplet(`${SLUG}-2`, [SLUG, OWNER_TAG]);
  third = await createDroplet(`${SLUG}-3`, [SLUG, OWNER_TAG]);
  // A look-alike: the deployment's tag, but not the tool's: never a target.
  await createDroplet(`${SLUG}-handmade`, [SLUG]);
  await t.admin('POST', '/_emulator/clock', { advance_ms: 60_000 });
  const state = (await t.admin('GET', '/_emulator/state')) as {
    droplets: { droplets: { name: string; host_key: { fingerprint_sha256: string } }[] };
  };
  // Each droplet has its own host key.
  for (const d of state.droplets.droplets) hostFingerprints[d.name] = d.host_key.fingerprint_sha256;
  hostFingerprint = hostFingerprints[`${SLUG}-1`]!;
});
afterAll(async () => {
  await t?.stop();
});

describe('exec on droplets', () => {
  it('runs a command on one droplet: stdout and stderr apart, exit code, duration, host key', async () => {
    const report = await exec({ target: `${SLUG}-2`, command: 'echo "on $HOSTNAME"; echo warn >&2' });
    expect(report.status).toBe('succeeded');
    expect(report.deployment).toBe(SLUG);
    expect(report.result.results).toEqual([
      {
        target: `${SLUG}-2`,
        stdout: `on ${SLUG}-2\n`,
        stderr: 'warn\n',
        exit_code: 0,
        duration_ms: expect.any(Number),
        truncated: false,
        host_fingerprint: hostFingerprints[`${SLUG}-2`],
      },
    ]);
    expect(hostFingerprints[`${SLUG}-2`]).not.toBe(hostFingerprint);
    expect(report.api_calls.mutating).toBe(0);
    expect(report.audit).toMatchObject([{ resource: `droplet ${SLUG}-2`, action: 'exec', outcome: 'ok' }]);
  });

  it('runs on every droplet of the deployment at once, and never on a look-alike', async () => {
    const report = await exec({
      target: 'droplets',
      command: 'echo "$HOSTNAME"; date +%s%N; sleep 0.4; date +%s%N',
    });
    expect(report.status).toBe('succeeded');
    expect(report.result.targets).toEqual([`${SLUG}-1`, `${SLUG}-2`, `${SLUG}-3`]);
    const lines = report.result.results.map((r) => r.stdout.trim().split('\n'));
    expect(lines.map(([host]) => host)).toEqual([`${SLUG}-1`, `${SLUG}-2`, `${SLUG}-3`]);
    // In parallel, whatever the machine's load: every command started before any of them ended.
    const starts = lines.map(([, start]) => BigInt(start!));
    const ends = lines.map(([, , end]) => BigInt(end!));
    expect(starts.every((start) => ends.every((end) => start < end))).toBe(true);
  });

  it('fails with the command’s exit code when it is not 0', async () => {
    const report = await exec({ target: `${SLUG}-1`, command: 'echo partial; exit 3' });
    expect(report.status).toBe('failed');
    expect(report.result.results[0]).toMatchObject({ stdout: 'partial\n', exit_code: 3 });
    expect(report.result.results[0]?.error).toBeUndefined();
  });

  it('reports exit code 127 as command not found', async () => {
    const report = await exec({ target: `${SLUG}-1`, command: 'no-such-tool --version' });
    expect(report.status).toBe('failed');
    expect(report.result.results[0]).toMatchObject({
      exit_code: 127,
      error: expect.stringMatching(/^command not found/),
    });
  });

  it('stops a command at its timeout, reporting for its droplet what it printed and the timeout', async () => {
    const started = Date.now();
    const report = await exec({
      target: `${SLUG}-1`,
      command: 'echo started; echo oops >&2; sleep 30',
      timeout: '1',
    });
    expect(report.status).toBe('failed');
    expect(report.result.results).toEqual([
      {
        target: `${SLUG}-1`,
        stdout: 'started\n',
        stderr: 'oops\n',
        exit_code: null,
        duration_ms: expect.any(Number),
        truncated: false,
        timed_out: true,
        error: expect.stringMatching(
          new RegExp(`^The command on droplet ${SLUG}-1 did not finish within 1 s and was stopped\\. Raise`),
        ),
      },
    ]);
    expect(renderExec(report)).toMatch(/started\n[\s\S]*oops\n[\s\S]*stopped at its timeout/);
    expect(report.audit).toMatchObject([
      { resource: `droplet ${SLUG}-1`, action: 'exec', outcome: 'failed' },
    ]);
    expect(Date.now() - started).toBeLessThan(4_000);
  });

  it('reports each droplet stopped at its timeout with its own output', async () => {
    const report = await exec({
      target: 'droplets',
      command: 'echo "on $(hostname)"; sleep 30',
      timeout: '2',
    });
    expect(report.status).toBe('failed');
    for (const result of report.result.results) {
      expect(result).toMatchObject({ exit_code: null, timed_out: true });
      expect(result.error).toMatch(/did not finish within 2 s and was stopped/);
      // A droplet still connecting when the timeout struck printed nothing; one that ran printed its line.
      expect(result.stdout).toMatch(/^(on .+\n)?$/);
    }
    expect(report.result.results.some((r) => r.stdout.startsWith('on '))).toBe(true);
  });

  it('the timeout hint is a way out that works: a job started as it says lets the session end at once', async () => {
    const timedOut = await exec({ target: `${SLUG}-1`, command: 'sleep 30', timeout: '1' });
    const form = /nohup COMMAND (.+)$/.exec(timedOut.result.results[0]?.error ?? '')?.[1];
    expect(form).toBe('> job.log 2>&1 < /dev/null &');
    const started = Date.now();
    const report = await exec({ target: `${SLUG}-1`, command: `nohup sleep 31.25 ${form}`, timeout: '2' });
    expect(report.status).toBe('succeeded');
    expect(Date.now() - started).toBeLessThan(2_000);
    // The job it started is still there to kill.
    await exec({ target: `${SLUG}-1`, command: 'pkill -f "^sleep 31.25$" || true' });
  });

  it('caps the output it keeps and marks it truncated', async () => {
    const report = await exec({
      target: `${SLUG}-1`,
      command: "head -c 3000 /dev/zero | tr '\\0' x",
      max_output_bytes: 1000,
    });
    const result = report.result.results[0]!;
    expect(result.truncated).toBe(true);
    expect(result.stdout).toBe(`${'x'.repeat(1000)}\n[output truncated: 2000 more bytes not kept]\n`);
  });

  it('masks a secret the output cap cuts in half: none of it shows, whole or in part', async () => {
    const secret = 'planted-exec-secret-0123456789abc';
    const env = { BASE2_SECRET_KEY: secret };
    const report = await exec(
      { target: `${SLUG}-1`, command: `printf 'head-%s tail' '${secret}'`, max_output_bytes: 21 },
      env,
    );
    const result = report.result.results[0]!;
    expect(result.truncated).toBe(true);
    expect(result.stdout).toBe('head-[REDACTED]\n[output truncated: 5 more bytes not kept]\n');
    // Stopped at its timeout with half a secret printed: the half is masked too.
    const stopped = await exec(
      { target: `${SLUG}-1`, command: `printf 'begun %s' '${secret.slice(0, 16)}'; sleep 30`, timeout: 1 },
      env,
    );
    expect(stopped.result.results[0]).toMatchObject({ stdout: 'begun [REDACTED]', timed_out: true });
    for (const shown of [report, stopped]) expect(JSON.stringify(shown)).not.toContain(secret.slice(0, 4));
  });

  it('refuses an unknown target, listing the valid ones, and a look-alike, saying why', async () => {
    const unknown = await failure({ target: `${SLUG}-9`, command: 'true' });
    expect(unknown).toBeInstanceOf(InputError);
    expect(unknown.message).toContain(
      `"${SLUG}-9" is not a droplet of ${SLUG}; valid targets: ${SLUG}-1, ${SLUG}-2, ${SLUG}-3, droplets`,
    );
    const lookAlike = await failure({ target: `${SLUG}-handmade`, command: 'true' });
    expect(lookAlike.message).toContain(`carries the tag ${SLUG} but not ${OWNER_TAG}`);
  });

  it('refuses targets that are not names before any API call', async () => {
    const before = (await t.requests()).length;
    for (const target of ['base2-staging-1; rm -rf /', '../etc', 'app/Web', 'app/web/x/y', '-rf', '']) {
      const error = await failure({ target, command: 'true' });
      expect(error, target).toBeInstanceOf(InputError);
      expect(error.message).toContain('target');
    }
    expect((await t.requests()).length).toBe(before);
  });

  it('refuses a key the droplets do not know', async () => {
    const stranger = ed25519KeyPair();
    const error = await failure(
      { target: `${SLUG}-1`, command: 'true' },
      { DO_SSH_PRIVATE_KEY: stranger.private },
    );
    expect(error).toBeInstanceOf(ExecError);
    expect((error as ExecError).reason).toBe('auth-refused');
    expect(error.message).toMatch(
      new RegExp(`^Droplet ${SLUG}-1 at [\\d.]+:\\d+ refused the SSH key for user root\\.$`),
    );
  });

  it('refuses a droplet whose host key is not the pinned one, and accepts the pinned one', async () => {
    const wrong = `SHA256:${'C'.repeat(43)}`;
    const error = await failure({ target: `${SLUG}-1`, command: 'true' }, { DO_SSH_HOST_FINGERPRINT: wrong });
    expect((error as ExecError).reason).toBe('host-key-mismatch');
    const pinned = await exec(
      { target: `${SLUG}-1`, command: 'echo ok' },
      { DO_SSH_HOST_FINGERPRINT: hostFingerprint },
    );
    expect(pinned.result.results[0]?.stdout).toBe('ok\n');
  });

  it('needs the private key to reach droplets, and says so once', async () => {
    for (const target of [`${SLUG}-1`, 'droplets']) {
      const error = await failure({ target, command: 'true' }, { DO_SSH_PRIVATE_KEY: '' });
      expect(error).toBeInstanceOf(ConfigError);
      expect(error.message).toContain('DO_SSH_PRIVATE_KEY');
    }
  });

  it('a dry run names the targets and runs nothing', async () => {
    const report = await exec({ target: 'droplets', command: 'touch /should-not-exist', dry_run: true });
    expect(report.status).toBe('noop');
    expect(report.result).toEqual({
      dry_run: true,
      targets: [`${SLUG}-1`, `${SLUG}-2`, `${SLUG}-3`],
      results: [],
    });
    expect(report.audit).toEqual([]);
  });

  it('never lets the private key reach the report or the log', async () => {
    const report = await exec({ target: 'droplets', command: 'echo done' });
    const secretLine = pair.private.split('\n')[1]!;
    expect(JSON.stringify(report)).not.toContain(secretLine);
    expect(logs.join('\n')).not.toContain(secretLine);
  });

  it('refuses a droplet that is not active, and reports it among the others for `droplets`', async () => {
    await t.dots.v2.droplets.byDroplet_id(third).actions.post({ type: 'power_off' } as never);
    while ((await dropletStatus(third)) !== 'off') await new Promise((resolve) => setTimeout(resolve, 20));

    const error = await failure({ target: `${SLUG}-3`, command: 'true' });
    expect(error).toBeInstanceOf(OperationError);
    expect(error.message).toBe(`Droplet ${SLUG}-3 is off, not active.`);

    const report = await exec({ target: 'droplets', command: 'echo up' });
    expect(report.status).toBe('failed');
    expect(report.result.results.map((r) => [r.target, r.exit_code, r.error ?? null])).toEqual([
      [`${SLUG}-1`, 0, null],
      [`${SLUG}-2`, 0, null],
      [`${SLUG}-3`, null, expect.stringContaining('is off, not active')],
    ]);
  });
});
