/**
 * `npm run demo`: the Base2 lifecycle on the embedded local DigitalOcean, through the web functions
 * exactly as CI would call them. Starts the emulator (realistic timing, sped up), bootstraps the
 * control plane into its Functions namespace, then deploy → info → exec (droplets, app) → edit (an
 * env change, verified on the live URL) → a failing edit that rolls back → maintain → teardown
 * (the control plane stays) → the control plane's destroy, and a summary. Leaves nothing behind.
 * `--json` prints one JSON document instead; `--time-scale N` changes the pace (default 10).
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildFunctions } from '../build.mjs';
import { type Emulator, startEmulator } from '../emulator/index.js';
import { systemClock } from '../lib/clock.js';
import { createHttps } from '../lib/do/index.js';
import { isToolError } from '../lib/errors.js';
import { ed25519KeyPair } from '../lib/exec/keys.js';
import type { OpReport } from '../lib/ops/types.js';
import { parseDuration } from './cli/args.js';
import { renderSchedule } from './control-plane/bootstrap-cli.js';
import { bootstrapPlane } from './control-plane/bootstrap-plane.js';
import { destroyPlane } from './control-plane/destroy-plane.js';
import { callRemote } from './control-plane/remote-call.js';
import { loadRemoteEnv } from './control-plane/remote-env.js';
import { rowFromReport, type StepRow, screen, summaryTable } from './demo/steps.js';
import { ensureFunctionsNode } from './functions-node.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const json = process.argv.includes('--json');
const scaleFlag = process.argv.indexOf('--time-scale');
const timeScale = scaleFlag > 0 ? Number(process.argv[scaleFlag + 1]) : 10;
const show = screen(process.stderr.isTTY || !json ? process.stdout : process.stderr, json);
const rows: StepRow[] = [];
/** deployment.yml's registry.name: the user's choice in .env, or the demo's own. */
const REGISTRY = process.env.DO_REGISTRY_NAME || 'base2-demo';

class DemoFailure extends Error {}

async function main(): Promise<number> {
  if (!(timeScale > 0 && timeScale <= 10)) {
    process.stderr.write('--time-scale must be between 0 and 10 (web calls are cut at 30 s ÷ the scale).\n');
    return 2;
  }
  const work = await mkdtemp(join(tmpdir(), 'base2-demo-'));
  let emu: Emulator | undefined;
  try {
    show.line(
      `Base2 on a local DigitalOcean — realistic timing at ${timeScale}× speed, no account, no network.`,
    );
    const runtime = await ensureFunctionsNode();
    emu = await startEmulator({ timeScale, runtimeNode: runtime.path ?? process.execPath });
    show.line(
      `  emulator: ${emu.apiUrl} (functions run on ${runtime.path ? 'Node 22, as nodejs:22' : `this Node — ${'reason' in runtime ? runtime.reason : ''}`})`,
    );
    await run(emu, work);
    show.line('');
    show.line(summaryTable(rows));
    const failed = rows.filter((r) => !r.ok);
    if (json) process.stdout.write(`${JSON.stringify({ ok: failed.length === 0, steps: rows }, null, 2)}\n`);
    return failed.length === 0 ? 0 : 1;
  } catch (error) {
    show.settle();
    const message = isToolError(error)
      ? error.describe()
      : error instanceof Error
        ? error.message
        : String(error);
    show.line('');
    if (rows.length) show.line(summaryTable(rows));
    process.stderr.write(`demo stopped: ${message}\n`);
    if (json)
      process.stdout.write(`${JSON.stringify({ ok: false, error: message, steps: rows }, null, 2)}\n`);
    return 1;
  } finally {
    await emu?.stop();
    await rm(work, { recursive: true, force: true });
  }
}

async function run(emu: Emulator, work: string): Promise<void> {
  const https = createHttps({ clock: systemClock, random: Math.random, caPem: emu.caPem });
  const admin = async (method: string, path: string, body?: unknown) => {
    const response = await https.request(`${emu.apiUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${emu.token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (response.status >= 400) throw new DemoFailure(`${method} ${path} answered ${response.status}`);
  };
  try {
    // What CI has done before a deploy: a registry with the builds pushed to it. Registry names are
    // global on DigitalOcean (the emulator holds `base2` for another customer), so the demo's is its own.
    show.line(
      `\n▶ CI pushes base2:1.0.0 to the container registry ${REGISTRY} (and a build that will not start)`,
    );
    await admin('POST', '/v2/registry', {
      name: REGISTRY,
      subscription_tier_slug: 'basic',
      region: 'nyc3',
    }).catch((error: unknown) => {
      if (!(error instanceof DemoFailure && / 409$/.test(error.message))) throw error;
      throw new DemoFailure(
        `the registry name ${REGISTRY} (DO_REGISTRY_NAME) is held by another customer, on the emulator as it would be on DigitalOcean: unset DO_REGISTRY_NAME or choose a name of your own`,
      );
    });
    for (const tag of ['1.0.0', 'broken'])
      await admin('POST', '/_emulator/registry/images', { repository: 'base2', tag });
    await admin('POST', '/_emulator/faults', {
      kind: 'build',
      image: 'base2:broken',
      phase: 'deploy',
      message: 'health check failed: the container exited with code 1',
    });

    const keys = ed25519KeyPair('base2-demo');
    const envFile = join(work, '.env');
    const source: Record<string, string> = {
      DIGITALOCEAN_TOKEN: emu.token,
      DIGITALOCEAN_API_URL: emu.apiUrl,
      DIGITALOCEAN_CA_FILE: emu.caCertPath,
      DO_SSH_PORT: String(emu.sshPort),
      DO_HTTP_PORT: String(emu.httpPort),
      DO_REGISTRY_NAME: REGISTRY,
      DO_SSH_PRIVATE_KEY: keys.private,
      DO_SSH_PUBLIC_KEY: keys.public,
      BASE2_SECRET_KEY: randomBytes(24).toString('base64url'),
      DEPLOY_ENV: 'staging',
    };

    show.line(
      '\n▶ bootstrap: deploy the control plane (package ops, 7 web functions, maintain every 5 minutes where the account has scheduled triggers)',
    );
    const started = Date.now();
    const plane = await bootstrapPlane({
      root: ROOT,
      source,
      envFile,
      clock: systemClock,
      random: Math.random,
      onProgress: (line) => show.progress({ step: line }),
      // Built into the demo's own folder, so the checkout is left as it was.
      build: () => buildFunctions({ root: ROOT, outDir: join(work, 'functions') }),
    });
    show.settle();
    for (const fn of plane.functions)
      show.line(`    ${fn.name.padEnd(9)} ${fn.url}  (${(fn.bundle_bytes / 1024).toFixed(0)} KB)`);
    for (const line of renderSchedule(plane.schedule)) if (line !== '') show.line(`    ${line}`);
    rows.push({
      step: 'bootstrap',
      outcome: plane.status,
      ok: true,
      toolMs: Date.now() - started,
      wallMs: Date.now() - started,
      apiCalls: plane.api_calls,
      note: `${plane.functions.length} functions`,
    });

    const saved = Object.fromEntries(
      (await readFile(envFile, 'utf8'))
        .split('\n')
        .filter((l) => /^[A-Z_]+=/.test(l))
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    const remoteEnv = loadRemoteEnv({ ...source, ...saved }, work);
    const remote = async (
      title: string,
      op: string,
      input: Record<string, unknown>,
      expect: 'ok' | 'failed' = 'ok',
    ) => {
      show.line(`\n▶ ${title}`);
      const began = Date.now();
      const outcome = await callRemote({
        op,
        input: { env: 'staging', ...input },
        env: remoteEnv,
        clock: systemClock,
        random: Math.random,
        wait: true,
        timeoutMs: parseDuration('10m'),
        pauses: { inProgressMs: 250, notReadyMs: 1000 },
        onProgress: show.progress,
      });
      show.settle();
      if (outcome.kind !== 'report')
        throw new DemoFailure(
          `${op} did not answer: ${outcome.kind === 'interrupted' ? 'it was interrupted' : outcome.kind === 'refused' ? outcome.error.message : outcome.kind === 'stalled' && outcome.reason === 'unchanged' ? 'its progress stopped changing' : outcome.detail}`,
        );
      const row = rowFromReport(
        title.split(':')[0]!,
        outcome.report,
        Date.now() - began,
        outcome.calls,
        expect,
      );
      row.note = outcome.calls > 1 ? `${outcome.calls} calls` : undefined;
      rows.push(row);
      show.line(
        `    ${row.outcome} — tool time ${(outcome.report.tool_time_ms / 1000).toFixed(1)} s, ${outcome.report.api_calls.total} API calls${outcome.calls > 1 ? `, ${outcome.calls} web calls (in_progress in between)` : ''}`,
      );
      for (const w of outcome.report.warnings) show.line(`    ! ${w}`);
      if (!row.ok)
        throw new DemoFailure(
          `${op} ended ${outcome.report.status}, expected ${expect === 'ok' ? 'success' : 'a failure'}${whyOf(outcome.report)}`,
        );
      return outcome.report;
    };

    await remote('deploy: staging, image 1.0.0', 'deploy', { image_tag: '1.0.0' });
    const info = (await remote('info: what staging holds', 'info', {})) as OpReport<{
      apps: { live_url?: string }[];
      droplets: { name: string; status: string; public_ipv4?: string }[];
    }>;
    for (const d of info.result.droplets)
      show.line(`    droplet ${d.name} ${d.status} ${d.public_ipv4 ?? ''}`);
    const liveUrl = info.result.apps[0]?.live_url;
    if (!liveUrl) throw new DemoFailure('info shows no live URL for the app');
    const live = async () =>
      (await (await https.request(liveUrl)).json()) as { image: string; env: Record<string, string> };
    show.line(`    live URL ${liveUrl} serves ${(await live()).image}`);

    const exec = async (title: string, target: string, command: string) => {
      const report = (await remote(title, 'exec', { target, command })) as OpReport<{
        results: { target: string; stdout: string; exit_code: number }[];
      }>;
      for (const r of report.result.results)
        show.line(`    ${r.target}: exit ${r.exit_code} — ${r.stdout.trim().split('\n')[0] ?? ''}`);
    };
    await exec('exec: on every droplet over SSH', 'droplets', 'echo "$(whoami) in $(pwd)"');
    await exec('exec: in the app over the console', 'app/web', 'echo "log level $BASE2_LOG_LEVEL"');

    await remote('edit: BASE2_LOG_LEVEL=debug', 'edit', { set_env: { BASE2_LOG_LEVEL: 'debug' } });
    const afterEdit = await live();
    show.line(`    live URL now shows BASE2_LOG_LEVEL=${afterEdit.env.BASE2_LOG_LEVEL}`);
    if (afterEdit.env.BASE2_LOG_LEVEL !== 'debug')
      throw new DemoFailure('the live URL does not show the edit');

    const failed = await remote('edit: image broken (rolls back)', 'edit', { image_tag: 'broken' }, 'failed');
    const restore = (failed.result as { restore?: { ok: boolean; details: string[] } }).restore;
    const failure = (failed.result as { failure?: { detail?: string } }).failure;
    if (failure?.detail) show.line(`    failure: ${failure.detail}`);
    for (const detail of restore?.details ?? []) show.line(`    restore: ${detail}`);
    const afterFailure = await live();
    show.line(`    restored: ${restore?.ok ? 'yes' : 'no'}; live URL still serves ${afterFailure.image}`);
    if (!restore?.ok || !afterFailure.image.includes('1.0.0'))
      throw new DemoFailure('the failed edit was not rolled back');

    const after = (await remote('info: after the rollback', 'info', {})) as typeof info;
    show.line(
      `    ${after.result.droplets.length} droplets: ${after.result.droplets.map((d) => d.name).join(', ')}`,
    );
    await remote('maintain: health, drift, repairs', 'maintain', {});
    await remote('teardown: staging', 'teardown', {});
    await remote('status: the control plane still answers', 'status', {});

    show.line('\n▶ bootstrap --destroy: remove the control plane');
    const began = Date.now();
    const destroyed = await destroyPlane({
      root: ROOT,
      source: { ...source, ...saved },
      clock: systemClock,
      random: Math.random,
      onProgress: (line) => show.progress({ step: line }),
    });
    show.settle();
    rows.push({
      step: 'bootstrap --destroy',
      outcome: destroyed.status,
      ok: destroyed.status === 'removed',
      toolMs: Date.now() - began,
      wallMs: Date.now() - began,
      apiCalls: destroyed.api_calls,
      note: `${destroyed.removed.length} removed`,
    });
  } finally {
    await https.close();
  }
}

process.exitCode = await main();

/** What a report says went wrong: its failure, or the checks that failed. */
function whyOf(report: OpReport<unknown>): string {
  const result = report.result as {
    failure?: { detail?: string } | string;
    health?: { ok: boolean; name: string; detail: string }[];
    checks?: { ok: boolean; name: string; detail: string }[];
    results?: { target: string; exit_code: number | null; error?: string }[];
  };
  const failure = typeof result?.failure === 'string' ? result.failure : result?.failure?.detail;
  const checks = [...(result?.health ?? []), ...(result?.checks ?? [])].filter((c) => !c.ok);
  const targets = (result?.results ?? []).filter((r) => r.exit_code !== 0);
  const parts = [
    ...(failure ? [failure] : []),
    ...checks.map((c) => `${c.name}: ${c.detail}`),
    ...targets.map((r) => `${r.target}: ${r.error ?? `exit code ${r.exit_code}`}`),
  ];
  return parts.length > 0 ? ` (${parts.join('; ')})` : '';
}
