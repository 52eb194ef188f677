/**
 * The control plane end to end on the emulator, every call through the same code a person runs:
 * bootstrap → remote deploy (through in_progress rounds) → remote info → remote exec → remote
 * edit → remote teardown → the control plane is still there, and maintain fires on its schedule → bootstrap
 * --destroy removes it. The functions run as the emulator runs them: each activation a Node 22
 * process calling `main(event, context)`. The maintain triggers (one per environment) are paused while the deployment is
 * worked on (so a scheduled run cannot land in the middle), and a second bootstrap resumes it.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../lib/clock.js';
import { createHttps } from '../../lib/do/index.js';
import { ed25519KeyPair } from '../../lib/exec/keys.js';
import { operations } from '../../lib/ops/index.js';
import { runBootstrapCli } from '../../scripts/control-plane/bootstrap-cli.js';
import { findNamespace, listTriggers } from '../../scripts/control-plane/namespace.js';
import { OpenWhisk } from '../../scripts/control-plane/openwhisk.js';
import { runRemoteCli } from '../../scripts/control-plane/remote-cli.js';
import { loadFunctionsNodeModule } from '../build/modules.js';
import { seedRegistry } from '../ops/support.js';
import { startTestEmulator, type TestEmulator } from '../support/emulator.js';
import { testContext } from '../support/op-context.js';
import {
  type BuiltOnce,
  buildOnce,
  type CapturedIo,
  captureIo,
  envLines,
  planeSource,
  ROOT,
} from './support.js';

// 30 s of web time is 10 s real at this scale: after the functions' 2 s answering reserve and
// their wrap-up share, a deploy call works about 6 s before it answers in_progress.
const TIME_SCALE = 3;
/** Shorter than DigitalOcean's, but an app deployment still outlasts one web call. */
const TIMING = { appPendingMs: 2_000, appBuildMs: 20_000, appDeployMs: 10_000, dropletBootMs: 15_000 };
const BASE2_SECRET_KEY = 'base2-secret-key-planted-for-the-e2e-scan-0123456789';
const keys = ed25519KeyPair('base2-e2e');

let t: TestEmulator;
let build: BuiltOnce;
let work: string;
let runtime: string;
const outputs: string[] = [];

beforeAll(async () => {
  const fnNode = await (await loadFunctionsNodeModule()).ensureFunctionsNode();
  if (!fnNode.path && process.env.CI)
    throw new Error(`CI needs Node 22: ${'reason' in fnNode ? fnNode.reason : ''}`);
  runtime = fnNode.path ?? process.execPath;
  [t, build] = await Promise.all([
    startTestEmulator({ runtimeNode: runtime, timeScale: TIME_SCALE, timing: TIMING, triggersPreview: true }),
    buildOnce(),
  ]);
  await seedRegistry(t);
  work = mkdtempSync(join(tmpdir(), 'base2-e2e-'));
}, 120_000);

afterAll(async () => {
  await Promise.all([t?.stop(), build?.remove()]);
  if (work) rmSync(work, { recursive: true, force: true });
});

function source(): Record<string, string> {
  let saved: Record<string, string> = {};
  try {
    saved = envLines(readFileSync(join(work, '.env'), 'utf8'));
  } catch {
    // No .env before the first bootstrap.
  }
  return planeSource(t, {
    DO_SSH_PRIVATE_KEY: keys.private,
    DO_SSH_PUBLIC_KEY: keys.public,
    BASE2_SECRET_KEY,
    ...saved,
  });
}

function keep(io: CapturedIo): CapturedIo {
  outputs.push(io.out(), io.err());
  return io;
}

async function bootstrap(args: string[]) {
  const io = captureIo(source(), work);
  const code = await runBootstrapCli(args, io, {
    root: ROOT,
    envFile: join(work, '.env'),
    build: async () => build.built,
  });
  keep(io);
  return { code, io };
}

async function remote(args: string[]) {
  const io = captureIo(source(), work);
  const code = await runRemoteCli(args, io, { pauses: { inProgressMs: 50, notReadyMs: 500 } });
  keep(io);
  return { code, io, json: args.includes('--json') ? JSON.parse(io.out()) : undefined };
}

async function controlPlane() {
  const ctx = testContext(t);
  const https = createHttps({ clock: systemClock, random: Math.random, caPem: t.emu.caPem });
  try {
    const ns = await findNamespace(ctx.ctx.api, 'base2-ops');
    if (!ns) return undefined;
    const ow = new OpenWhisk(ns, https);
    const pkg = await ow.getPackage('ops');
    return {
      ns,
      functions: pkg?.actions.map((a) => a.name).sort(),
      triggers: await listTriggers(ctx.ctx.api, ns.namespace),
    };
  } finally {
    await Promise.all([ctx.close(), https.close()]);
  }
}

describe('the control plane on the emulator', () => {
  it('bootstraps the functions', async () => {
    const { code, io } = await bootstrap([]);
    expect(code, io.err()).toBe(0);
    const plane = await controlPlane();
    expect(plane?.functions).toEqual(build.built.map((b) => b.op).sort());
    for (const trigger of plane?.triggers ?? []) {
      await t.dots.v2.functions.namespaces
        .byNamespace_id(plane!.ns.namespace)
        .triggers.byTrigger_name(trigger.name)
        .put({ isEnabled: false });
    }
    console.log(`e2e: functions run on ${runtime}`);
  }, 60_000);

  it('refuses calls without the secret or with a wrong one, before any API call', async () => {
    const url = `${source().OPS_WEB_URL}/deploy`;
    await t.admin('DELETE', '/_emulator/requests');
    const secrets: Record<string, string>[] = [
      {},
      { 'x-require-whisk-auth': 'not-the-secret-not-the-secret-not-the' },
    ];
    for (const headers of secrets) {
      const response = await t.fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ env: 'staging' }),
      });
      expect(response.status).toBe(401);
    }
    const io = captureIo({ ...source(), OPS_WEB_SECRET: 'x'.repeat(40) }, work);
    expect(await runRemoteCli(['deploy'], keep(io))).toBe(2);
    expect(io.err()).toMatch(/the web secret was refused/i);
    expect((await t.requests()).filter((r) => r.path.startsWith('/v2/'))).toEqual([]);
  }, 60_000);

  it('deploys through the deploy function, answering in_progress until the platform is done', async () => {
    const { code, io } = await remote(['deploy']);
    expect(code, io.err() + io.out()).toBe(0);
    expect(io.err()).toMatch(/deploy: in progress/);
    expect(io.out()).toMatch(/deploy base2-staging: succeeded/);
    const apps = await t.dots.v2.apps.get();
    expect(apps?.apps?.map((a) => a.spec?.name)).toEqual(['base2-staging']);
  }, 120_000);

  it('reports the deployment through the info function', async () => {
    const { code, json } = await remote(['info', '--json']);
    expect(code).toBe(0);
    expect(json).toMatchObject({ op: 'info', status: 'succeeded', deployment: 'base2-staging' });
    expect(json.result.droplets.length).toBeGreaterThan(0);
    expect(json.result.droplets.map((d: { owner?: string }) => d.owner)).toEqual(
      json.result.droplets.map(() => 'base2-staging'),
    );
    // The control plane's own namespace is listed, without its key.
    const plane = await controlPlane();
    expect(JSON.stringify(json)).not.toContain(plane!.ns.key);
  }, 60_000);

  it('runs a command on the droplets through the exec function', async ({ skip }) => {
    if (!build.built.some((b) => b.op === 'exec')) skip('no exec function yet');
    const { code, json, io } = await remote([
      'exec',
      '--target',
      'droplets',
      '--command',
      'echo hello-from-exec',
      '--json',
    ]);
    expect(code, io.err()).toBe(0);
    expect(json.status).toBe('succeeded');
    for (const result of json.result.results) {
      expect(result).toMatchObject({ exit_code: 0, stdout: 'hello-from-exec\n' });
    }
  }, 60_000);

  it('scales the deployment through the edit function', async ({ skip }) => {
    if (!('edit' in operations) || !build.built.some((b) => b.op === 'edit'))
      skip('edit is not an operation yet');
    const { code, io } = await remote(['edit', '--droplet-count', '3']);
    expect(code, io.err() + io.out()).toBe(0);
    const droplets = await t.dots.v2.droplets.get({ queryParameters: { tagName: 'base2-staging' } });
    expect(droplets?.droplets?.length).toBe(3);
  }, 120_000);

  it('tears the deployment down and leaves the control plane in place', async () => {
    const before = await controlPlane();
    const { code, io } = await remote(['teardown']);
    expect(code, io.err() + io.out()).toBe(0);
    expect((await t.dots.v2.apps.get())?.apps ?? []).toEqual([]);
    const after = await controlPlane();
    expect(after?.ns.namespace).toBe(before?.ns.namespace);
    expect(after?.functions).toEqual(before?.functions);
    expect(after?.triggers).toEqual(before?.triggers);
  }, 120_000);

  it('resumes the maintain trigger with a second bootstrap, and maintain runs on schedule', async ({
    skip,
  }) => {
    const plane = await controlPlane();
    if (!plane?.triggers.length) skip('no scheduled function yet');
    const { code, io } = await bootstrap(['--json']);
    expect(code, io.err()).toBe(0);
    const steps = JSON.parse(io.out()).steps.filter((s: { action: string }) => s.action !== 'noop');
    expect(steps).toEqual(
      plane!.triggers.map((tr) => ({ kind: 'trigger', action: 'update', name: tr.name, reason: 'enabled' })),
    );

    const ctx = testContext(t);
    const triggers = ctx.ctx.api.client.v2.functions.namespaces.byNamespace_id(plane!.ns.namespace).triggers;
    const name = plane!.triggers[0]!.name;
    const next = Date.parse(
      String((await triggers.byTrigger_name(name).get())?.trigger?.scheduledRuns?.nextRunAt),
    );
    const clock = (await t.admin('GET', '/_emulator/clock')) as { now_ms: number };
    await t.admin('POST', '/_emulator/clock', { advance_ms: next - clock.now_ms + 1_000 });
    const fn = plane!.triggers[0]!.function;
    const auth = `Basic ${Buffer.from(`${plane!.ns.uuid}:${plane!.ns.key}`).toString('base64')}`;
    // One trigger per environment of deployment.yml, on one schedule: each fires once.
    type Activation = {
      name: string;
      response: { success: boolean; result: { body?: { deployment?: string } } };
    };
    let activations: Activation[] = [];
    for (let i = 0; i < 200 && activations.length < plane!.triggers.length; i++) {
      await systemClock.sleep(50);
      const response = await t.fetch(
        `${plane!.ns.apiHost}/api/v1/namespaces/_/activations?name=${fn}&docs=true`,
        { headers: { authorization: auth } },
      );
      activations = (await response.json()) as Activation[];
    }
    expect(activations.map((a) => a.name)).toEqual(plane!.triggers.map(() => fn.split('/')[1]));
    // Each ran for its environment (the deployment is torn down: it says so and succeeds).
    expect(activations.map((a) => a.response.result.body?.deployment).sort()).toEqual([
      'base2-production',
      'base2-staging',
    ]);
    for (const a of activations) expect(a.response.success, JSON.stringify(a.response)).toBe(true);
    expect((await triggers.byTrigger_name(name).get())?.trigger?.scheduledRuns?.lastRunAt).toBeTruthy();
    await ctx.close();
  }, 60_000);

  it('removes the control plane with bootstrap --destroy', async () => {
    const { code, io } = await bootstrap(['--destroy']);
    expect(code, io.err()).toBe(0);
    expect(await controlPlane()).toBeUndefined();
  }, 60_000);

  it('never printed a secret', () => {
    const secrets = [t.emu.token, keys.private.split('\n')[1]!, BASE2_SECRET_KEY, source().OPS_WEB_SECRET!];
    for (const text of outputs) for (const secret of secrets) expect(text).not.toContain(secret);
  });
});
