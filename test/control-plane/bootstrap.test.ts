import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../lib/clock.js';
import { createHttps } from '../../lib/do/index.js';
import { runBootstrapCli } from '../../scripts/control-plane/bootstrap-cli.js';
import { createTrigger, findNamespace, listTriggers } from '../../scripts/control-plane/namespace.js';
import { OpenWhisk } from '../../scripts/control-plane/openwhisk.js';
import { ANNOTATIONS, annotation } from '../../scripts/control-plane/plan.js';
import { startTestEmulator, type TestEmulator } from '../support/emulator.js';
import { testContext } from '../support/op-context.js';
import { type BuiltOnce, buildOnce, captureIo, envLines, planeSource, ROOT } from './support.js';

let t: TestEmulator;
let build: BuiltOnce;
let work: string;
/** project.yml as it is, but scheduled once a year: no trigger fires (and calls the API) mid-test. */
let quiet: string;
const YEARLY = '0 0 1 1 *';
const https = () => createHttps({ clock: systemClock, random: Math.random, caPem: t.emu.caPem });

beforeAll(async () => {
  [t, build] = await Promise.all([startTestEmulator({ triggersPreview: true }), buildOnce()]);
  work = mkdtempSync(join(tmpdir(), 'base2-bootstrap-'));
  quiet = join(work, 'project');
  mkdirSync(quiet);
  const text = readFileSync(join(ROOT, 'project.yml'), 'utf8');
  writeFileSync(join(quiet, 'project.yml'), text.replace(/cron: "[^"]*"/g, `cron: "${YEARLY}"`));
  // The manifest whose environments (staging, production) bootstrap schedules maintain for.
  writeFileSync(join(quiet, 'deployment.yml'), readFileSync(join(ROOT, 'deployment.yml'), 'utf8'));
}, 120_000);

afterAll(async () => {
  await Promise.all([t?.stop(), build?.remove()]);
  rmSync(work, { recursive: true, force: true });
});

/** Runs `npm run bootstrap -- …args` in-process with .env in `dir`; returns the captured run. */
async function bootstrap(
  dir: string,
  args: string[],
  extra: Record<string, string | undefined> = {},
  root = quiet,
) {
  const envFile = join(dir, '.env');
  const saved = (() => {
    try {
      return envLines(readFileSync(envFile, 'utf8'));
    } catch {
      return {};
    }
  })();
  const io = captureIo({ ...planeSource(t), ...saved, ...extra }, dir);
  const code = await runBootstrapCli(args, io, { root, envFile, build: async () => build.built });
  return { code, out: io.out(), err: io.err(), env: envLines(readFileSync(envFile, 'utf8')), envFile };
}

async function namespaceOf(label: string) {
  const api = testContext(t);
  try {
    return await findNamespace(api.ctx.api, label);
  } finally {
    await api.close();
  }
}

async function mutatingRequests() {
  const all = await t.requests();
  return all
    .filter((r) => ['POST', 'PUT', 'DELETE', 'PATCH'].includes(r.method))
    .map((r) => `${r.method} ${r.path}`);
}

describe('npm run bootstrap', () => {
  const dir = () => join(work, 'main');

  it('creates the namespace, package and functions, and keeps the secret out of its output', async () => {
    mkdirSync(dir());
    const run = await bootstrap(dir(), []);
    expect(run.err).toMatch(/generated a web secret/);
    expect(run.code, run.err).toBe(0);
    const secret = run.env.OPS_WEB_SECRET!;
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(statSync(run.envFile).mode & 0o777).toBe(0o600);
    expect(run.out).toMatch(/control plane created in namespace base2-ops/);
    expect(run.out).toContain(`${run.env.OPS_WEB_URL}/deploy`);
    expect(run.out).toContain('X-Require-Whisk-Auth: $OPS_WEB_SECRET');
    for (const text of [run.out, run.err]) {
      expect(text).not.toContain(secret);
      expect(text).not.toContain(t.emu.token);
    }

    const ns = await namespaceOf('base2-ops');
    expect(run.env.OPS_WEB_URL).toBe(`${t.emu.apiUrl}/api/v1/web/${ns?.namespace}/ops`);
    const client = https();
    const ow = new OpenWhisk(ns!, client);
    const pkg = await ow.getPackage('ops');
    expect(annotation(pkg!.annotations, ANNOTATIONS.createdNamespace)).toBe(true);
    expect(pkg!.parameters).toContainEqual({ key: 'DIGITALOCEAN_TOKEN', value: t.emu.token, init: true });
    expect(pkg!.parameters.map((p) => p.key)).not.toContain('DIGITALOCEAN_CA_FILE');
    for (const fn of build.built) {
      const action = await ow.getAction('ops', fn.op);
      expect(action?.exec).toEqual({ kind: 'nodejs:22', binary: true });
      expect(annotation(action!.annotations, 'require-whisk-auth')).toBe(secret);
      expect(annotation(action!.annotations, 'web-export')).toBe(true);
      expect(annotation(action!.annotations, ANNOTATIONS.codeSha256)).toMatch(/^[0-9a-f]{64}$/);
    }
    expect((await ow.getAction('ops', 'deploy'))?.limits).toMatchObject({ timeout: 900000, memory: 512 });
    await client.close();
  });

  it('changes nothing on a second run, and says it is up to date', async () => {
    await t.admin('DELETE', '/_emulator/requests');
    const run = await bootstrap(dir(), []);
    expect(run.code, run.err).toBe(0);
    expect(run.out).toMatch(/control plane up to date/);
    expect(await mutatingRequests()).toEqual([]);
  });

  it('updates only what changed', async () => {
    await t.admin('DELETE', '/_emulator/requests');
    const run = await bootstrap(dir(), ['--json'], { LOG_LEVEL: 'debug' });
    expect(run.code, run.err).toBe(0);
    const result = JSON.parse(run.out);
    expect(result.status).toBe('updated');
    expect(result.steps.filter((s: { action: string }) => s.action !== 'noop')).toEqual([
      { kind: 'package', action: 'update', name: 'ops', reason: 'parameters added: LOG_LEVEL' },
    ]);
    expect(await mutatingRequests()).toEqual(['PUT /api/v1/namespaces/_/packages/ops']);
    expect(run.out).not.toContain(run.env.OPS_WEB_SECRET);
  });

  it('prints the secret only when asked', async () => {
    const run = await bootstrap(dir(), ['--show-secret'], { LOG_LEVEL: 'debug' });
    expect(run.out).toContain(`OPS_WEB_SECRET=${run.env.OPS_WEB_SECRET}`);
  });

  it('refuses a bad environment before any call, listing every problem', async () => {
    await t.admin('DELETE', '/_emulator/requests');
    const io = captureIo({ DIGITALOCEAN_API_URL: 'http://insecure', OPS_NAMESPACE_REGION: 'nyc3' }, dir());
    const code = await runBootstrapCli([], io, {
      root: quiet,
      envFile: join(work, 'unused.env'),
      build: async () => build.built,
    });
    expect(code).toBe(2);
    expect(io.err()).toMatch(/DIGITALOCEAN_TOKEN: is required/);
    expect(io.err()).toMatch(/DIGITALOCEAN_API_URL: https is required/);
    expect(io.err()).toMatch(/OPS_NAMESPACE_REGION: must be one of nyc1/);
    expect(await t.requests()).toEqual([]);
  });
});

describe('npm run bootstrap -- --destroy', () => {
  it('removes triggers, functions, package and the namespace it created', async () => {
    const root = join(work, 'with-trigger');
    mkdirSync(root);
    // project.yml with a schedule on info, the way maintain will have one.
    const project = readFileSync(join(quiet, 'project.yml'), 'utf8').replace(
      /( {6}- name: info\n)/,
      `$1        triggers:\n          - name: info-report\n            type: scheduled\n            scheduledDetails:\n              cron: "${YEARLY}"\n              body: { env: staging, scope: account }\n`,
    );
    writeFileSync(join(root, 'project.yml'), project);
    writeFileSync(join(root, 'deployment.yml'), readFileSync(join(ROOT, 'deployment.yml'), 'utf8'));
    const extra = { OPS_NAMESPACE_LABEL: 'with-trigger' };
    const first = await bootstrap(root, [], extra, root);
    expect(first.code, first.err).toBe(0);
    const ns = await namespaceOf('with-trigger');
    const api = testContext(t);
    expect(await listTriggers(api.ctx.api, ns!.namespace)).toContainEqual({
      name: 'info-report',
      function: 'ops/info',
      cron: YEARLY,
      enabled: true,
      body: { env: 'staging', scope: 'account' },
    });
    expect((await bootstrap(root, [], extra, root)).out).toMatch(/up to date/);

    const gone = await bootstrap(root, ['--destroy'], extra, root);
    expect(gone.code, gone.err).toBe(0);
    expect(gone.out).toMatch(/control plane removed from namespace with-trigger \(namespace deleted\)/);
    expect(gone.out).toMatch(/deleted trigger info-report/);
    expect(await namespaceOf('with-trigger')).toBeUndefined();
    const again = await bootstrap(root, ['--destroy'], extra, root);
    expect(again.out).toMatch(/nothing to remove/);
    await api.close();
  });

  it('leaves a namespace it did not create, and what it did not deploy there', async () => {
    const root = join(work, 'shared');
    mkdirSync(root);
    const created = await t.dots.v2.functions.namespaces.post({ label: 'shared', region: 'ams3' });
    const ns = await namespaceOf('shared');
    const client = https();
    const ow = new OpenWhisk(ns!, client);
    await ow.putPackage('jobs', { parameters: [], annotations: [], publish: false });
    const extra = { OPS_NAMESPACE_LABEL: 'shared' };
    const first = await bootstrap(root, [], extra);
    expect(first.code, first.err).toBe(0);
    expect(first.err).toMatch(/namespace shared \(ams3\): found/);

    const gone = await bootstrap(root, ['--destroy', '--json'], extra);
    const result = JSON.parse(gone.out);
    expect(result.namespace).toMatchObject({ label: 'shared', created: false, deleted: false });
    const kinds = result.removed.map((r: { kind: string }) => r.kind);
    expect(kinds.filter((kind: string) => kind === 'function')).toHaveLength(build.built.length);
    expect(kinds.at(-1)).toBe('package');
    expect(result.kept).toEqual(['namespace shared: bootstrap did not create it']);
    expect(await ow.getPackage('ops')).toBeUndefined();
    expect(await ow.getPackage('jobs')).toBeDefined();
    expect(created?.namespace?.label).toBe('shared');
    await client.close();
  });

  it('refuses to take over a package named ops that it did not create', async () => {
    const root = join(work, 'foreign');
    mkdirSync(root);
    await t.dots.v2.functions.namespaces.post({ label: 'foreign', region: 'nyc1' });
    const client = https();
    await new OpenWhisk((await namespaceOf('foreign'))!, client).putPackage('ops', {
      parameters: [],
      annotations: [],
      publish: false,
    });
    await client.close();
    const run = await bootstrap(root, [], { OPS_NAMESPACE_LABEL: 'foreign' });
    expect(run.code).toBe(1);
    expect(run.err).toMatch(/already has a package "ops" that base2-do did not create/);
    const gone = await bootstrap(root, ['--destroy'], { OPS_NAMESPACE_LABEL: 'foreign' });
    expect(gone.out).toMatch(/kept package ops: not created by base2-do/);
  });
});

describe('npm run bootstrap on an account without the scheduled triggers preview', () => {
  const extra = { OPS_NAMESPACE_LABEL: 'no-triggers' };

  it('deploys every function and says maintain is not scheduled and how to run it', async () => {
    const dir = join(work, 'no-triggers');
    mkdirSync(dir);
    await t.admin('POST', '/_emulator/functions/triggers-preview', { enabled: false });
    try {
      const run = await bootstrap(dir, [], extra);
      expect(run.code, run.err).toBe(0);
      expect(run.out).toMatch(/control plane created in namespace no-triggers/);
      expect(run.out).toMatch(
        /maintain is not scheduled: scheduled triggers are a private preview of DigitalOcean Functions that this account does not have \(DigitalOcean answered: .*403.*\)\./,
      );
      // One line per environment deployment.yml defines: maintain refuses to run without one.
      expect(run.out).toContain('  0 0 1 1 *  npm run remote -- maintain --env staging');
      expect(run.out).toContain('  0 0 1 1 *  npm run remote -- maintain --env production');
      const json = JSON.parse((await bootstrap(dir, ['--json'], extra)).out);
      expect(json.status).toBe('up_to_date');
      expect(json.schedule).toMatchObject({
        available: false,
        scheduled: [],
        unscheduled: [
          {
            name: 'maintain-every-5-minutes-staging',
            function: 'ops/maintain',
            run_instead: 'npm run remote -- maintain --env staging',
          },
          {
            name: 'maintain-every-5-minutes-production',
            function: 'ops/maintain',
            run_instead: 'npm run remote -- maintain --env production',
          },
        ],
      });
      const ns = await namespaceOf('no-triggers');
      const client = https();
      const ow = new OpenWhisk(ns!, client);
      for (const fn of build.built) expect(await ow.getAction('ops', fn.op), fn.op).toBeDefined();
      await client.close();

      const gone = await bootstrap(dir, ['--destroy'], extra);
      expect(gone.code, gone.err).toBe(0);
      expect(gone.out).toMatch(/control plane removed from namespace no-triggers \(namespace deleted\)/);
      expect(await namespaceOf('no-triggers')).toBeUndefined();
    } finally {
      await t.admin('POST', '/_emulator/functions/triggers-preview', { enabled: true });
    }
  });

  it('schedules maintain for each environment on the next run once the account has the preview', async () => {
    const dir = join(work, 'preview-later');
    mkdirSync(dir);
    const label = { OPS_NAMESPACE_LABEL: 'preview-later' };
    await t.admin('POST', '/_emulator/functions/triggers-preview', { enabled: false });
    try {
      expect((await bootstrap(dir, [], label)).out).toMatch(/maintain is not scheduled/);
    } finally {
      await t.admin('POST', '/_emulator/functions/triggers-preview', { enabled: true });
    }
    // Without DEPLOY_ENV: the schedule must not depend on it.
    const run = await bootstrap(dir, ['--json'], { ...label, DEPLOY_ENV: undefined });
    expect(run.code, run.err).toBe(0);
    const result = JSON.parse(run.out);
    expect(result.schedule).toEqual({
      available: true,
      scheduled: [
        { name: 'maintain-every-5-minutes-staging', function: 'ops/maintain', cron: YEARLY, env: 'staging' },
        {
          name: 'maintain-every-5-minutes-production',
          function: 'ops/maintain',
          cron: YEARLY,
          env: 'production',
        },
      ],
      unscheduled: [],
    });
    expect(result.steps).toContainEqual({
      kind: 'trigger',
      action: 'create',
      name: 'maintain-every-5-minutes-staging',
      reason: 'runs ops/maintain',
    });
    const api = testContext(t);
    const ns = await namespaceOf('preview-later');
    const triggers = await listTriggers(api.ctx.api, ns!.namespace);
    expect(triggers.map((tr) => [tr.name, tr.body])).toEqual([
      ['maintain-every-5-minutes-staging', { env: 'staging' }],
      ['maintain-every-5-minutes-production', { env: 'production' }],
    ]);
    await api.close();
    const text = await bootstrap(dir, [], { ...label, DEPLOY_ENV: undefined });
    expect(text.out).toContain('maintain is scheduled for staging, production (0 0 1 1 *, UTC)');
    expect((await bootstrap(dir, ['--destroy'], label)).code).toBe(0);
  });
});

describe('the scheduled maintain', () => {
  it('runs for each environment, and a run that is refused is recorded as a failed activation', async () => {
    const dir = join(work, 'maintain-fires');
    mkdirSync(dir);
    const label = { OPS_NAMESPACE_LABEL: 'maintain-fires', DEPLOY_ENV: undefined };
    const run = await bootstrap(dir, ['--json'], label);
    expect(run.code, run.err).toBe(0);
    const ns = (await namespaceOf('maintain-fires'))!;
    const api = testContext(t);
    // What bootstrap made before: a trigger with an empty body, in a namespace without DEPLOY_ENV.
    await createTrigger(api.ctx.api, ns.namespace, {
      name: 'maintain-no-env',
      function: 'ops/maintain',
      cron: YEARLY,
      enabled: true,
      body: {},
    });
    await api.close();
    const auth = `Basic ${Buffer.from(`${ns.uuid}:${ns.key}`).toString('base64')}`;
    const clock = (await t.admin('GET', '/_emulator/clock')) as { now_ms: number };
    const yearEnd = Date.UTC(new Date(clock.now_ms).getUTCFullYear() + 1, 0, 1);
    await t.admin('POST', '/_emulator/clock', { advance_ms: yearEnd - clock.now_ms + 1_000 });
    type Activation = { response: { success: boolean; status: string; result: Record<string, unknown> } };
    let activations: Activation[] = [];
    for (let i = 0; i < 600 && activations.length < 3; i++) {
      await systemClock.sleep(100);
      const response = await t.fetch(
        `${ns.apiHost}/api/v1/namespaces/_/activations?name=ops/maintain&docs=true`,
        {
          headers: { authorization: auth },
        },
      );
      activations = (await response.json()) as Activation[];
    }
    expect(activations).toHaveLength(3);
    const byEnv = (text: string) =>
      activations.filter((a) => JSON.stringify(a.response.result).includes(text));
    // The empty body is refused, and OpenWhisk records that as a failure, not a success.
    const refused = byEnv('is required (or set DEPLOY_ENV)');
    expect(refused).toHaveLength(1);
    expect(refused[0]!.response).toMatchObject({ success: false, status: 'application error' });
    expect(refused[0]!.response.result.error).toMatchObject({ kind: 'input' });
    // The triggers bootstrap made run maintain for their environment: neither is deployed here,
    // so each says so and changes nothing (no firewall or domain made for a deployment never made).
    for (const env of ['base2-staging', 'base2-production']) {
      const ran = byEnv(`"deployment":"${env}"`);
      expect(ran, env).toHaveLength(1);
      expect(ran[0]!.response).toMatchObject({ success: true, result: { body: { status: 'noop' } } });
      expect(JSON.stringify(ran[0]!.response.result)).toContain(`${env} is not deployed`);
    }
    const firewalls = await t.dots.v2.firewalls.get();
    expect(firewalls?.firewalls ?? []).toEqual([]);
    expect((await bootstrap(dir, ['--destroy'], label)).code).toBe(0);
  }, 120_000);
});

describe('the runtime', () => {
  it('is refused before any upload when the namespace does not offer it, naming those it does', async () => {
    const dir = join(work, 'old-runtime');
    mkdirSync(dir);
    await t.admin('DELETE', '/_emulator/requests');
    const run = await bootstrap(dir, [], { OPS_NAMESPACE_LABEL: 'old-runtime', OPS_RUNTIME: 'nodejs:16' });
    expect(run.code).toBe(2);
    expect(run.err).toMatch(
      /runtime: nodejs:16 is not offered by this namespace's API host; it offers nodejs:22, nodejs:24/,
    );
    expect(run.err).toMatch(/Set OPS_RUNTIME/);
    // The namespace is made (found on the next run); nothing was uploaded into it.
    expect((await mutatingRequests()).filter((r) => r.includes('/api/v1/'))).toEqual([]);
  });
});
