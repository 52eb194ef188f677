// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} in plain strings is project.yml's substitution syntax
/**
 * project.yml through a real OpenWhisk functions deployer, unmodified: @nimbella/nimbella-deployer,
 * the library doctl's serverless plugin descends from (digitalocean/functions-deployer is its
 * continuation). It substitutes `${NAME}` in the whole text, comments included, and refuses a
 * project with an unset name; then it builds (npm in each function directory), zips what .include
 * lists, and deploys through the OpenWhisk API, here the emulator's.
 *
 * One known difference, and the only change made to project.yml for it: this release predates
 * DigitalOcean's trigger format (`type: scheduled`, `scheduledDetails: { cron, body }`) and knows
 * only the beta one (`sourceType: scheduler`, `sourceDetails: { cron, withBody }`), which
 * DigitalOcean's deployer still reads and maps onto the new one (src/util.ts,
 * transformLegacyTriggers). The test writes the trigger in that form; comments and values stay as
 * they are, so the substitution check is the deployer's own over the real text. Without DO_API_KEY
 * the deployer skips triggers (it only ever sends them to api.digitalocean.com).
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFunctions } from '../../build.mjs';
import { systemClock } from '../../lib/clock.js';
import { createHttps } from '../../lib/do/index.js';
import { ed25519KeyPair } from '../../lib/exec/keys.js';
import { findNamespace, type NamespaceInfo } from '../../scripts/control-plane/namespace.js';
import { OpenWhisk } from '../../scripts/control-plane/openwhisk.js';
import { projectVariables, readProject } from '../../scripts/control-plane/project.js';
import { startTestEmulator, type TestEmulator } from '../support/emulator.js';
import { testContext } from '../support/op-context.js';
import { ROOT } from './support.js';

const run = promisify(execFile);
const DEPLOYER = join(import.meta.dirname, 'fixtures/deployer.cjs');
const PROJECT_TEXT = await readFile(join(ROOT, 'project.yml'), 'utf8');
const KEYS = ed25519KeyPair('base2-deploy');
const SECRET = 'k3Qz9sV1xY7wR2mN8pL4tB6hJ0cF5gD3eA1uI9oK7qS';

let t: TestEmulator;
let work: string;
/** The project as `doctl serverless deploy .` sees it after `npm run build`. */
let project: string;
let ns: NamespaceInfo;

/** Every variable project.yml names, set the way .env.example documents each. */
function documentedVariables(): Record<string, string> {
  return {
    DIGITALOCEAN_TOKEN: t.emu.token,
    DIGITALOCEAN_API_URL: t.emu.apiUrl,
    DO_REGION: 'nyc3',
    DO_REGISTRY_NAME: 'base2-tests',
    DO_SSH_PRIVATE_KEY: KEYS.private,
    DO_SSH_PUBLIC_KEY: KEYS.public,
    DO_SSH_USER: 'root',
    DO_SSH_PORT: String(t.emu.sshPort),
    DO_SSH_HOST_FINGERPRINT: `SHA256:${'A'.repeat(43)}`,
    DO_HTTP_PORT: String(t.emu.httpPort),
    BASE2_SECRET_KEY: 'a-long-random-value-for-the-demo-app-0123456789',
    OPS_WEB_SECRET: SECRET,
    LOG_LEVEL: 'info',
    DO_RATE_LIMIT_PER_MINUTE: '250',
    DEPLOY_ENV: 'staging',
    OPS_RUNTIME: 'nodejs:22',
  };
}

/** project.yml with its trigger in the beta form this deployer release reads (see the header). */
function withBetaTriggers(text: string): string {
  const beta = text
    .replace(/^(\s+)type: scheduled$/m, '$1sourceType: scheduler')
    .replace(/^(\s+)scheduledDetails:$/m, '$1sourceDetails:')
    .replace(/^(\s+)body: \{\}$/m, '$1withBody: {}');
  expect(beta.match(/sourceType: scheduler|sourceDetails:|withBody:/g)).toHaveLength(3);
  return beta;
}

/** Runs the deployer in its own process with exactly `env` (plus PATH and the emulator's CA). */
async function deployer(args: string[], env: Record<string, string>): Promise<Record<string, unknown>> {
  const { stdout } = await run(process.execPath, [DEPLOYER, ...args], {
    cwd: project,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: work,
      NODE_EXTRA_CA_CERTS: t.emu.caCertPath,
      // The deployer runs `npm install` in each function directory: nothing to install, no audit.
      npm_config_audit: 'false',
      npm_config_fund: 'false',
      npm_config_update_notifier: 'false',
      ...env,
    },
    timeout: 240_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as Record<string, unknown>;
}

const read = (env: Record<string, string>) => deployer(['read', project, t.emu.apiUrl], env);

beforeAll(async () => {
  // Slow enough that the info function answers within the (scaled) 30 s web limit on a busy machine.
  t = await startTestEmulator({ timeScale: 5 });
  work = await mkdtemp(join(tmpdir(), 'base2-deployer-'));
  project = join(work, 'project');
  await buildFunctions({ root: ROOT, outDir: join(project, 'packages', 'ops') });
  await writeFile(join(project, 'project.yml'), withBetaTriggers(PROJECT_TEXT));
  await t.dots.v2.functions.namespaces.post({ label: 'deployer', region: 'nyc1' });
  const ctx = testContext(t);
  ns = (await findNamespace(ctx.ctx.api, 'deployer'))!;
  await ctx.close();
}, 180_000);

afterAll(async () => {
  await t?.stop();
  await rm(work, { recursive: true, force: true });
});

describe('the functions deployer over project.yml', () => {
  it('reads it with every documented variable set, a multi-line PEM key included, and nothing unresolved', async () => {
    const spec = await read(documentedVariables());
    expect(spec).toMatchObject({ error: null, unresolved: [], package: 'ops' });
    expect(Object.keys(documentedVariables()).sort()).toEqual(projectVariables(PROJECT_TEXT).sort());
    const environment = spec.environment as Record<string, string>;
    // The deployer writes the key's line breaks as \n inside the double quotes; YAML reads them back.
    expect(environment.DO_SSH_PRIVATE_KEY).toBe(KEYS.private);
    expect(environment.DO_SSH_PRIVATE_KEY).toContain('\n');
    expect(environment.DIGITALOCEAN_TOKEN).toBe(t.emu.token);
    const functions = spec.functions as { name: string; runtime: string; webSecure: string }[];
    expect(functions.map((f) => f.name).sort()).toEqual(
      readProject(ROOT, documentedVariables())
        .functions.map((f) => f.name)
        .sort(),
    );
    for (const fn of functions) expect(fn).toMatchObject({ runtime: 'nodejs:22', webSecure: SECRET });
  }, 60_000);

  it('reads the PEM key from .env written on one line with \\n between its lines, as .env.example shows', async () => {
    const lines = Object.entries(documentedVariables()).map(([key, value]) =>
      key === 'DO_SSH_PRIVATE_KEY'
        ? `${key}="${value.trimEnd().replaceAll('\n', '\\n')}"`
        : `${key}=${value}`,
    );
    await writeFile(join(project, '.env'), `${lines.join('\n')}\n`, { mode: 0o600 });
    try {
      const spec = await read({});
      expect(spec).toMatchObject({ error: null, unresolved: [] });
      expect((spec.environment as Record<string, string>).DO_SSH_PRIVATE_KEY).toBe(KEYS.private.trimEnd());
    } finally {
      await rm(join(project, '.env'), { force: true });
    }
  }, 60_000);

  it('refuses the project when a variable is unset, naming it', async () => {
    const { BASE2_SECRET_KEY: _unset, ...rest } = documentedVariables();
    const spec = await read(rest);
    expect(spec.error).toMatch(/substitutions could not be resolved: 'BASE2_SECRET_KEY'/);
    expect(spec.unresolved).toEqual(['BASE2_SECRET_KEY']);
  }, 60_000);

  it('catches a variable reference put back in a comment, and bootstrap refuses it too', async () => {
    const commented = PROJECT_TEXT.replace(
      '# DIGITALOCEAN_CA_FILE is never passed on',
      '# ${DIGITALOCEAN_CA_FILE} is never passed on',
    );
    expect(commented).not.toBe(PROJECT_TEXT);
    const copy = join(work, 'commented');
    await mkdir(copy);
    await writeFile(join(copy, 'project.yml'), withBetaTriggers(commented));
    const spec = await deployer(['read', copy, t.emu.apiUrl], documentedVariables());
    expect(spec.error).toMatch(/substitutions could not be resolved: 'DIGITALOCEAN_CA_FILE'/);
    expect(() => readProject(copy, documentedVariables())).toThrow(
      /line \d+: the comment holds \$\{DIGITALOCEAN_CA_FILE\}/,
    );
  }, 60_000);

  it('deploys the built project to the emulator unmodified, and the deployed functions answer', async () => {
    const result = await deployer(
      ['deploy', project, ns.apiHost, ns.namespace, `${ns.uuid}:${ns.key}`],
      documentedVariables(),
    );
    expect(result.failures).toEqual([]);
    expect(result.namespace).toBe(ns.namespace);
    const successes = result.successes as { name: string; kind: string; skipped?: boolean }[];
    expect(successes.filter((s) => s.kind === 'action').map((s) => s.name)).toHaveLength(7);
    // No DO_API_KEY: the deployer skips triggers rather than calling api.digitalocean.com.
    expect(successes).toContainEqual({ name: 'maintain-every-5-minutes', kind: 'trigger', skipped: true });

    const https = createHttps({ clock: systemClock, random: Math.random, caPem: t.emu.caPem });
    try {
      const ow = new OpenWhisk(ns, https);
      const pkg = await ow.getPackage('ops');
      expect(pkg?.parameters).toContainEqual({ key: 'DO_SSH_PRIVATE_KEY', value: KEYS.private, init: true });
      const info = await ow.getAction('ops', 'info');
      expect(info?.exec).toEqual({ kind: 'nodejs:22', binary: true });
      expect(info?.annotations).toEqual(
        expect.arrayContaining([
          { key: 'web-export', value: true },
          { key: 'raw-http', value: true },
          { key: 'require-whisk-auth', value: SECRET },
          { key: 'final', value: true },
        ]),
      );
      expect((await ow.getAction('ops', 'deploy'))?.limits).toMatchObject({ timeout: 900000, memory: 512 });

      const url = `${ns.apiHost}/api/v1/web/${ns.namespace}/ops/info`;
      const refused = await https.request(url, { method: 'POST', body: '{}' });
      expect(refused.status).toBe(401);
      await refused.arrayBuffer();
      const answer = await https.request(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-require-whisk-auth': SECRET },
        body: JSON.stringify({ env: 'staging' }),
      });
      const report = (await answer.json()) as { op?: string; status?: string };
      expect(answer.status, JSON.stringify(report)).toBe(200);
      expect(report).toMatchObject({ op: 'info', status: 'succeeded' });

      // Deployed raw, the function sees a repeated parameter as sent, and refuses it.
      const headers = { 'content-type': 'application/json', 'x-require-whisk-auth': SECRET };
      const repeats: [string, string, string][] = [
        ['?env=staging&env=production', '{}', 'env: is given more than once in the query string'],
        ['', '{"env":"staging","env":"production"}', 'env: is given more than once in the JSON body'],
        [
          '?env=staging',
          '{"env":"production"}',
          'env: is given both in the query string and in the JSON body',
        ],
      ];
      for (const [query, body, said] of repeats) {
        const repeated = await https.request(`${url}${query}`, { method: 'POST', headers, body });
        const refusal = (await repeated.json()) as { error?: { message?: string } };
        expect(repeated.status, JSON.stringify(refusal)).toBe(400);
        expect(refusal.error?.message).toContain(said);
        expect(refusal.error?.message).not.toContain('production');
      }
    } finally {
      await https.close();
    }
  }, 300_000);
});
