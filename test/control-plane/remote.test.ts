/**
 * `npm run remote` against web functions in the emulator that answer the ways the real ones can
 * when time runs short: `in_progress` again and again, or not at all within the web limit (202).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountModule } from '../../emulator/resources/account.js';
import { functionsModule } from '../../emulator/resources/functions/index.js';
import { systemClock } from '../../lib/clock.js';
import { createHttps } from '../../lib/do/index.js';
import { flattenNamespace, type NamespaceInfo } from '../../scripts/control-plane/namespace.js';
import { OpenWhisk } from '../../scripts/control-plane/openwhisk.js';
import { runRemoteCli } from '../../scripts/control-plane/remote-cli.js';
import { packageUrl } from '../../scripts/control-plane/web-url.js';
import { startTestEmulator, type TestEmulator } from '../support/emulator.js';
import { captureIo } from './support.js';

const SECRET = 'remote-test-web-secret-0123456789abcdef';
const FUNCTIONS = {
  // Always still working, as a deploy is while a build runs.
  deploy: `exports.main = async (params) => ({ statusCode: 200, body: {
    op: 'deploy', status: 'in_progress', deployment: 'base2-staging', warnings: [], audit: [],
    result: { progress: { phase: 'waiting for DigitalOcean', detail: 'app: BUILDING' }, echo: params.image_tag },
    api_calls: { total: 1, mutating: 0, byMethod: {}, retries: 0, rateLimited: 0 },
    tool_time_ms: 1, wall_time_ms: 1, platform_wait_ms: 0 } })`,
  // Keeps the lock after its first call and finishes only when the next call brings the token back.
  edit: `exports.main = async (params) => ({ statusCode: 200, body: {
    op: 'edit', status: params.resume === 'abcdef01' ? 'succeeded' : 'in_progress', deployment: 'base2-staging',
    warnings: [], audit: [],
    result: { resume: params.resume === 'abcdef01' ? undefined : 'abcdef01', echo: params.resume, tag: params.image_tag },
    api_calls: { total: 1, mutating: 0, byMethod: {}, retries: 0, rateLimited: 0 },
    tool_time_ms: 1, wall_time_ms: 1, platform_wait_ms: 0 } })`,
  // Ignores its context deadline: the platform answers 202 and lets it run on.
  info: `exports.main = async () => { await new Promise((r) => setTimeout(r, 3000)); return { statusCode: 200, body: {} }; }`,
};

let t: TestEmulator;
let ns: NamespaceInfo;

beforeAll(async () => {
  t = await startTestEmulator({ modules: [accountModule, functionsModule], timeScale: 50 });
  ns = flattenNamespace(
    (await t.dots.v2.functions.namespaces.post({ label: 'remote', region: 'nyc1' }))?.namespace,
  )!;
  const https = createHttps({ clock: systemClock, random: Math.random, caPem: t.emu.caPem });
  const ow = new OpenWhisk(ns, https);
  await ow.putPackage('ops', { parameters: [], annotations: [], publish: false });
  for (const [name, code] of Object.entries(FUNCTIONS)) {
    await ow.putAction('ops', name, {
      exec: { kind: 'nodejs:22', code, binary: false },
      parameters: [],
      annotations: [
        { key: 'web-export', value: true },
        { key: 'require-whisk-auth', value: SECRET },
      ],
      limits: { timeout: 10_000 },
    });
  }
  await https.close();
});

afterAll(async () => {
  await t?.stop();
});

function io(extra: Record<string, string> = {}) {
  return captureIo(
    {
      OPS_WEB_URL: packageUrl(ns, 'ops'),
      OPS_WEB_SECRET: SECRET,
      DIGITALOCEAN_CA_FILE: t.emu.caCertPath,
      ...extra,
    },
    process.cwd(),
  );
}

const pauses = { inProgressMs: 20, notReadyMs: 100 };

describe('npm run remote', () => {
  it('calls again while the operation answers in_progress, and exits 1 when --timeout runs out', async () => {
    const run = io();
    const code = await runRemoteCli(['deploy', '--image-tag', '1.4.2', '--timeout', '3s'], run, { pauses });
    expect(code).toBe(1);
    expect(run.err()).toMatch(
      /… deploy: in progress — waiting for DigitalOcean: app: BUILDING\n… deploy: in progress/,
    );
    expect(run.err()).toMatch(/still in progress after \d+ call\(s\): run the same command again/);
    expect(run.out()).toMatch(/deploy base2-staging: still in progress/);
  }, 30_000);

  it('makes exactly one call with --no-wait, and prints the report as JSON with --json', async () => {
    const run = io();
    const code = await runRemoteCli(['deploy', '--no-wait', '--json', '--image-tag', '1.4.2'], run, {
      pauses,
    });
    expect(code).toBe(1);
    expect(JSON.parse(run.out())).toMatchObject({ status: 'in_progress', result: { echo: '1.4.2' } });
    expect(run.err()).toMatch(/after 1 call\(s\)/);
  });

  it('says so when the platform answers 202 (the function outlived the web limit)', async () => {
    const run = io();
    // Never stalled here: this is about the last answer when --timeout runs out (remote-stall.test.ts
    // covers stopping early).
    const code = await runRemoteCli(['info', '--timeout', '3s'], run, {
      pauses,
      stall: { unansweredCalls: 1_000 },
    });
    expect(code).toBe(1);
    expect(run.err()).toMatch(
      /… info: still running — the function is still running past the web call's limit \(activation [0-9a-f]+\)/,
    );
    expect(run.err()).toMatch(/The info function has not answered yet/);
  }, 30_000);

  it('passes the resume token of an in_progress answer back to the next call, with the rest of the input', async () => {
    const run = io();
    const code = await runRemoteCli(['edit', '--image-tag', '1.4.2', '--json'], run, { pauses });
    expect(code, run.err()).toBe(0);
    expect(JSON.parse(run.out())).toMatchObject({
      status: 'succeeded',
      result: { echo: 'abcdef01', tag: '1.4.2' },
    });

    const once = io();
    expect(await runRemoteCli(['edit', '--image-tag', '1.4.2', '--no-wait'], once, { pauses })).toBe(1);
    expect(once.err()).toMatch(/run the same command again with --resume abcdef01 to continue/);
  }, 30_000);

  it('stops calling on Ctrl-C, exits 130 and says the deployment stays locked for its token', async () => {
    const run = io();
    const stop = new AbortController();
    // Ctrl-C once the first answer (in_progress, lock kept for abcdef01) is in, during the pause.
    const watch = setInterval(() => {
      if (run.err().includes('… edit: in progress')) stop.abort();
    }, 10);
    try {
      const code = await runRemoteCli(['edit', '--env', 'staging', '--image-tag', '1.4.2'], run, {
        pauses: { inProgressMs: 60_000, notReadyMs: 60_000 },
        stop: stop.signal,
        stopCause: () => 'SIGINT',
      });
      expect(code, run.err()).toBe(130);
    } finally {
      clearInterval(watch);
    }
    expect(run.err()).toMatch(/Interrupted: stopped calling the edit function after 1 call\(s\)\./);
    expect(run.err()).toMatch(
      /The deployment stays locked for this edit for 2 minutes at most: run `npm run remote -- edit --env staging --resume abcdef01` \(with the same flags\) to continue, or let the lock expire\./,
    );
  }, 30_000);

  it('exits 2 when the secret is refused, the configuration is missing or the operation unknown', async () => {
    const refused = io({ OPS_WEB_SECRET: 'w'.repeat(40) });
    expect(await runRemoteCli(['deploy'], refused, { pauses })).toBe(2);
    expect(refused.err()).toMatch(/The web secret was refused/);
    const unconfigured = captureIo({}, process.cwd());
    expect(await runRemoteCli(['deploy'], unconfigured)).toBe(2);
    expect(unconfigured.err()).toMatch(/OPS_WEB_URL: is required/);
    const unknown = io();
    expect(await runRemoteCli(['launch'], unknown)).toBe(2);
    expect(unknown.err()).toMatch(/unknown operation "launch"/);
    for (const run of [refused, unconfigured, unknown]) expect(run.err() + run.out()).not.toContain(SECRET);
  });
});
