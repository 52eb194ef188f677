/**
 * Secrets and the function bundles: build every function (build.mjs) with the secrets planted in
 * the build's environment, scan every file a function ships, then run the bundles as the platform
 * does, with the secrets in their environment, and scan their responses and logs.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ed25519KeyPair } from '../../lib/exec/keys.js';
import { type BuiltFunction, loadBuildModule } from '../build/modules.js';
import { ROOT } from '../support/op-context.js';
import { webEvent } from '../web/fixtures/events.js';
import { type Harness, startHarness } from './harness.js';
import { expectNoSecrets, FORM_NAMES } from './secret-forms.js';
import { Tally } from './tally.js';

const run = promisify(execFile);
const tally = new Tally(import.meta.filename);
const keys = ed25519KeyPair();
const SECRET_ENV = 'planted-bundle-secret-1f9d3e7a5c2b8046';
const WEB_SECRET = 'planted-bundle-web-secret-e4a1c9b7f3d2065a8c1e';
const LOADER = join(import.meta.dirname, 'fixtures', 'run-bundles.cjs');

let h: Harness;
let outDir: string;
let built: BuiltFunction[];
let planted: Record<string, string>;

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

beforeAll(async () => {
  h = await startHarness();
  await h.reset();
  planted = {
    'the API token': h.t.emu.token,
    'the SSH private key': keys.private,
    'the web secret': WEB_SECRET,
    'the SECRET env value': SECRET_ENV,
  };
  const saved = { ...process.env };
  Object.assign(process.env, {
    DIGITALOCEAN_TOKEN: h.t.emu.token,
    DO_SSH_PRIVATE_KEY: keys.private,
    OPS_WEB_SECRET: WEB_SECRET,
    BASE2_SECRET_KEY: SECRET_ENV,
  });
  try {
    outDir = await mkdtemp(join(tmpdir(), 'base2-hardening-bundles-'));
    built = await (await loadBuildModule()).buildFunctions({ outDir });
  } finally {
    for (const name of ['DIGITALOCEAN_TOKEN', 'DO_SSH_PRIVATE_KEY', 'OPS_WEB_SECRET', 'BASE2_SECRET_KEY']) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  }
}, 120_000);

afterAll(async () => {
  await h?.stop();
  if (outDir) await rm(outDir, { recursive: true, force: true });
  tally.publish();
});

describe('function bundles', () => {
  it('no file a function ships holds a secret that was in the build environment', async () => {
    const files = await filesUnder(outDir);
    expect(files.length).toBeGreaterThanOrEqual(built.length * 3);
    const texts = await Promise.all(files.map((file) => readFile(file, 'utf8')));
    await tally.check('secret_scan', () => expectNoSecrets(texts, planted));
    tally.scanned(Object.keys(planted).length, FORM_NAMES.length, texts.length);
  });

  it('bundles run with the secrets in their environment show none of them in responses or logs', async () => {
    const bundle = (op: string) => built.find((b) => b.op === op)?.file;
    const params = { env: 'staging' };
    const calls = [
      { bundle: bundle('deploy'), event: webEvent({ params, secret: WEB_SECRET }) },
      {
        bundle: bundle('deploy'),
        event: webEvent({ params: { ...params, dry_run: true }, secret: WEB_SECRET }),
      },
      { bundle: bundle('info'), event: webEvent({ params: { scope: 'account' }, secret: WEB_SECRET }) },
      { bundle: bundle('deploy'), event: webEvent({ params, secret: `${WEB_SECRET}0` }) },
      {
        bundle: bundle('deploy'),
        event: webEvent({ params: { env: '../../etc/passwd' }, secret: WEB_SECRET }),
      },
      { bundle: bundle('teardown'), event: webEvent({ params, secret: WEB_SECRET }) },
      { bundle: bundle('teardown'), event: { env: 'staging' } },
    ].filter((call) => call.bundle !== undefined);
    // Functions trust the platform's store: the emulator's CA comes in as NODE_EXTRA_CA_CERTS.
    const { DIGITALOCEAN_CA_FILE: ca, ...env } = h.env({
      BASE2_SECRET_KEY: SECRET_ENV,
      DO_SSH_PRIVATE_KEY: keys.private,
      OPS_WEB_SECRET: WEB_SECRET,
      DEPLOY_ENV: 'staging',
    });
    const { stdout, stderr } = await run(process.execPath, [LOADER, JSON.stringify(calls)], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        NODE_EXTRA_CA_CERTS: ca ?? '',
        ...env,
        BASE2_MANIFEST: 'deployment.yml',
      },
      maxBuffer: 64 * 1024 * 1024,
    });
    const responses = stdout
      .split('\n')
      .filter((line) => line.startsWith('response '))
      .map(
        (line) =>
          JSON.parse(line.slice('response '.length)) as { statusCode: number; body: { status?: string } },
      );
    expect(responses.map((r) => (r.statusCode === 200 ? r.body.status : r.statusCode))).toEqual([
      'succeeded',
      'noop',
      'succeeded',
      401,
      400,
      'succeeded',
      'noop',
    ]);
    const texts = [...stdout.split('\n'), stderr];
    await tally.check('secret_scan', () => expectNoSecrets(texts, planted));
    tally.scanned(Object.keys(planted).length, FORM_NAMES.length, texts.length);
  });
});
