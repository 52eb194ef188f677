/**
 * Ours against a naive deploy of the same deployment (bench/naive-deploy.ts: one resource at a
 * time, polling every 10 s, one GET per item), each on a fresh emulator at the same scale, for the
 * sample deployment and for ten droplets. Both go through the same transport, so API calls compare
 * like for like. Afterwards our deploy plans against what the naive one built: no change means
 * both built the same thing.
 */
import { join } from 'node:path';
import type { Emulator } from '../emulator/index.js';
import { loadEnv } from '../lib/config/env.js';
import { loadManifest, resolveDeployment } from '../lib/config/manifest.js';
import { createDoClient } from '../lib/do/index.js';
import { type DeployResult, deployOperation } from '../lib/ops/deploy/index.js';
import { type TeardownResult, teardownOperation } from '../lib/ops/teardown/index.js';
import { withAppProof } from '../lib/resources/app/proof-options.js';
import { ratio } from './critical-path.js';
import { emulatorClock } from './emulator-clock.js';
import { naiveDeploy } from './naive-deploy.js';
import {
  bench,
  emulatorRequests,
  ensureStatus,
  envFor,
  ROOT,
  seedRegistry,
  withEmulator,
} from './support.js';
import { calls, seconds } from './table.js';
import { BenchFailure, type Benchmark, type BenchResult, type BenchRun, type SummaryRow } from './types.js';

export const NAIVE_POLL_MS = 10_000;

interface Case {
  name: string;
  manifest: string;
  environment: string;
}

const CASES: readonly Case[] = [
  { name: 'sample', manifest: 'deployment.yml', environment: 'staging' },
  { name: 'ten_droplets', manifest: 'bench/fixtures/scale.yml', environment: 'ten' },
];

async function ours(emu: Emulator, c: Case) {
  const env = { BASE2_MANIFEST: c.manifest };
  await seedRegistry(emu);
  const report = await bench<DeployResult>(emu, deployOperation, { env: c.environment }, env);
  ensureStatus(report, `our deploy (${c.name})`);
  const requests = (await emulatorRequests(emu)).length;
  const down = await bench<TeardownResult>(emu, teardownOperation, { env: c.environment }, env);
  ensureStatus(down, `teardown after our deploy (${c.name})`);
  return {
    wall_ms: report.wall_time_ms,
    tool_ms: report.tool_time_ms,
    api_calls: report.api_calls,
    emulator_requests: requests,
  };
}

async function naive(emu: Emulator, c: Case, { print }: BenchRun) {
  await seedRegistry(emu);
  const envSource = envFor(emu, { BASE2_MANIFEST: c.manifest });
  const env = loadEnv(envSource, { cwd: ROOT });
  const manifest = loadManifest(join(ROOT, c.manifest), envSource);
  // The spec our deploy writes (its ownership marker and SECRET digests included): only how it is made differs.
  const deployment = withAppProof(resolveDeployment(manifest, c.environment, env), env.token, ROOT);
  const clock = emulatorClock(emu.clock);
  const api = createDoClient({
    token: env.token,
    apiUrl: env.apiUrl,
    caPem: emu.caPem,
    clock,
    random: Math.random,
  });
  let result: Awaited<ReturnType<typeof naiveDeploy>>;
  try {
    result = await naiveDeploy(api, deployment, clock, { pollMs: NAIVE_POLL_MS, print });
  } catch (error) {
    throw new BenchFailure(
      `naive deploy (${c.name}) failed: ${error instanceof Error ? error.message : String(error)}`,
    );
  } finally {
    await api.close();
  }
  const requests = (await emulatorRequests(emu)).length;
  const extra = { BASE2_MANIFEST: c.manifest };
  const check = await bench<DeployResult>(emu, deployOperation, { env: c.environment, dry_run: true }, extra);
  const down = await bench<TeardownResult>(emu, teardownOperation, { env: c.environment }, extra);
  ensureStatus(down, `teardown after the naive deploy (${c.name})`);
  return {
    wall_ms: result.wallMs,
    api_calls: api.calls.summary(),
    emulator_requests: requests,
    created: result.created.length,
    our_plan_afterwards: check.result.plan.map((s) => `${s.action} ${s.kind} ${s.name}: ${s.reason}`),
  };
}

async function compare(c: Case, run: BenchRun) {
  // Ten droplets: an account whose droplet limit was raised (a new one's is 5).
  const account = { dropletLimit: 20 };
  const ourFigures = await withEmulator(run.scale, account, (emu) => ours(emu, c));
  run.print(`${c.name}, ours:  deploy wall ${seconds(ourFigures.wall_ms)}, ${calls(ourFigures.api_calls)}`);
  const naiveFigures = await withEmulator(run.scale, account, (emu) => naive(emu, c, run));
  run.print(
    `${c.name}, naive: deploy wall ${seconds(naiveFigures.wall_ms)}, ${calls(naiveFigures.api_calls)}`,
  );
  const wallRatio = ratio(ourFigures.wall_ms, naiveFigures.wall_ms);
  const callRatio = ratio(ourFigures.api_calls.total, naiveFigures.api_calls.total);
  const same = naiveFigures.our_plan_afterwards.length === 0;
  run.print(
    `${c.name}, ours / naive: wall ${wallRatio}, API calls ${callRatio}; ` +
      (same
        ? 'our deploy plans no change on what the naive one built'
        : `our deploy would still change: ${naiveFigures.our_plan_afterwards.join('; ')}`),
  );
  const figures = {
    ours: ourFigures,
    naive: naiveFigures,
    wall_ratio_ours_to_naive: wallRatio,
    api_call_ratio_ours_to_naive: callRatio,
    same_result: same,
  };
  const rows: SummaryRow[] = [
    {
      benchmark: 'naive-baseline',
      measure: `${c.name}: deploy wall, ours / naive`,
      value: `${seconds(ourFigures.wall_ms)} / ${seconds(naiveFigures.wall_ms)} = ${wallRatio}`,
    },
    {
      benchmark: 'naive-baseline',
      measure: `${c.name}: deploy API calls, ours / naive`,
      value: `${ourFigures.api_calls.total} / ${naiveFigures.api_calls.total} = ${callRatio}`,
    },
  ];
  return { figures, rows };
}

export const naiveBaseline: Benchmark = {
  name: 'naive-baseline',
  title: 'our deploy against a naive one (sequential creates, fixed 10 s polling, per-item gets)',
  // Both are mostly waiting, and the naive one waits long: 10× keeps the run around a minute.
  defaultScale: 10,
  run: async (run): Promise<BenchResult> => {
    const figures: Record<string, unknown> = { naive_poll_ms: NAIVE_POLL_MS };
    const rows: SummaryRow[] = [];
    for (const c of CASES) {
      const result = await compare(c, run);
      figures[c.name] = result.figures;
      rows.push(...result.rows);
    }
    return { figures, rows };
  },
};
