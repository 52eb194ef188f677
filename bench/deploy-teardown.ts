/**
 * Deploy and teardown of the sample Base2 deployment (app + 2 droplets + DNS + firewall) under the
 * emulator's realistic timing profile: wall time against the platform's critical path, tool time
 * (wall time minus the waits on DigitalOcean's own work) and API calls; then a no-change deploy.
 */
import { REALISTIC_TIMING } from '../emulator/timing.js';
import { type DeployResult, deployOperation } from '../lib/ops/deploy/index.js';
import { type TeardownResult, teardownOperation } from '../lib/ops/teardown/index.js';
import { bench, benchEmulator, saveResults, seconds, seedRegistry } from './support.js';

const scale = Number(process.env.BENCH_TIME_SCALE ?? 1);
const t = REALISTIC_TIMING;
// The unavoidable chain: the app's deployment (pending → build → pending → deploy), with the
// droplets' boot alongside it; each phase of ours costs at least one API round trip.
const criticalPathMs =
  (t.appPendingMs * 2 + t.appBuildMs + t.appDeployMs) / scale + (6 * t.apiLatencyMs) / scale;

const emu = await benchEmulator();
try {
  await seedRegistry(emu);
  const first = await bench<DeployResult>(emu, deployOperation, { env: 'staging' });
  const again = await bench<DeployResult>(emu, deployOperation, { env: 'staging' });
  const down = await bench<TeardownResult>(emu, teardownOperation, { env: 'staging' });
  const ratio = first.wall_time_ms / criticalPathMs;
  const figures = {
    time_scale: scale,
    deploy: {
      status: first.status,
      wall_ms: first.wall_time_ms,
      tool_ms: first.tool_time_ms,
      platform_wait_ms: first.platform_wait_ms,
      critical_path_ms: Math.round(criticalPathMs),
      ratio_to_critical_path: Number(ratio.toFixed(3)),
      target: '≤ 1.10 × critical path + 1 s',
      within_target: first.wall_time_ms <= 1.1 * criticalPathMs + 1000,
      api_calls: first.api_calls,
    },
    no_change_deploy: { status: again.status, wall_ms: again.wall_time_ms, api_calls: again.api_calls },
    teardown: {
      status: down.status,
      wall_ms: down.wall_time_ms,
      tool_ms: down.tool_time_ms,
      api_calls: down.api_calls,
    },
  };
  console.log(
    `deploy    ${first.status}: wall ${seconds(first.wall_time_ms)}, tool ${seconds(first.tool_time_ms)}, critical path ${seconds(criticalPathMs)}, ratio ${ratio.toFixed(3)}, API calls ${first.api_calls.total} (${first.api_calls.mutating} mutating)`,
  );
  console.log(
    `no-change ${again.status}: wall ${seconds(again.wall_time_ms)}, API calls ${again.api_calls.total} (${again.api_calls.mutating} mutating)`,
  );
  console.log(
    `teardown  ${down.status}: wall ${seconds(down.wall_time_ms)}, tool ${seconds(down.tool_time_ms)}, API calls ${down.api_calls.total} (${down.api_calls.mutating} mutating)`,
  );
  await saveResults('deploy-teardown', figures);
} finally {
  await emu.stop();
}
