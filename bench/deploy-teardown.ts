/**
 * Deploy and teardown of the sample Base2 deployment (app + 2 droplets + DNS + firewall) under the
 * emulator's realistic timing profile: wall time against the platform's critical path, tool time
 * (wall time minus the waits on DigitalOcean's own work) and API calls; then a no-change deploy.
 */
import { REALISTIC_TIMING } from '../emulator/timing.js';
import { type DeployResult, deployOperation } from '../lib/ops/deploy/index.js';
import { type TeardownResult, teardownOperation } from '../lib/ops/teardown/index.js';
import { deployCriticalPathMs, overheadLimitMs, ratio } from './critical-path.js';
import { bench, ensureStatus, seedRegistry, withEmulator } from './support.js';
import { calls, seconds } from './table.js';
import type { Benchmark, BenchResult } from './types.js';

export const deployTeardown: Benchmark = {
  name: 'deploy-teardown',
  title: 'deploy and teardown of the sample deployment against the critical path; a no-change deploy',
  // Time is what this one measures: DigitalOcean's own pace.
  defaultScale: 1,
  run: ({ scale, print }) =>
    withEmulator(scale, {}, async (emu): Promise<BenchResult> => {
      const criticalPathMs = deployCriticalPathMs(REALISTIC_TIMING, {
        app: true,
        droplets: true,
        appDomain: true,
      });
      await seedRegistry(emu);
      const first = await bench<DeployResult>(emu, deployOperation, { env: 'staging' });
      ensureStatus(first, 'deploy');
      const again = await bench<DeployResult>(emu, deployOperation, { env: 'staging' });
      ensureStatus(again, 'no-change deploy');
      const down = await bench<TeardownResult>(emu, teardownOperation, { env: 'staging' });
      ensureStatus(down, 'teardown');

      const deployRatio = ratio(first.wall_time_ms, criticalPathMs);
      const within = first.wall_time_ms <= overheadLimitMs(criticalPathMs);
      print(
        `deploy    ${first.status}: wall ${seconds(first.wall_time_ms)}, tool ${seconds(first.tool_time_ms)}, ` +
          `critical path ${seconds(criticalPathMs)}, ratio ${deployRatio} (${within ? 'within' : 'OVER'} ` +
          `1.10 × + 1 s), ${calls(first.api_calls)}`,
      );
      print(`no-change ${again.status}: wall ${seconds(again.wall_time_ms)}, ${calls(again.api_calls)}`);
      print(
        `teardown  ${down.status}: wall ${seconds(down.wall_time_ms)}, tool ${seconds(down.tool_time_ms)}, ${calls(down.api_calls)}`,
      );
      return {
        figures: {
          deploy: {
            status: first.status,
            wall_ms: first.wall_time_ms,
            tool_ms: first.tool_time_ms,
            platform_wait_ms: first.platform_wait_ms,
            critical_path_ms: criticalPathMs,
            ratio_to_critical_path: deployRatio,
            target: '≤ 1.10 × critical path + 1 s',
            within_target: within,
            api_calls: first.api_calls,
            real_ms: first.real_ms,
            cpu_ms: first.cpu_ms,
          },
          no_change_deploy: { status: again.status, wall_ms: again.wall_time_ms, api_calls: again.api_calls },
          teardown: {
            status: down.status,
            wall_ms: down.wall_time_ms,
            tool_ms: down.tool_time_ms,
            api_calls: down.api_calls,
            real_ms: down.real_ms,
            cpu_ms: down.cpu_ms,
          },
        },
        rows: [
          {
            benchmark: 'deploy-teardown',
            measure: 'deploy wall / critical path',
            value: `${seconds(first.wall_time_ms)} / ${seconds(criticalPathMs)} = ${deployRatio}`,
            target: `≤ ${seconds(overheadLimitMs(criticalPathMs))}`,
          },
          { benchmark: 'deploy-teardown', measure: 'deploy tool time', value: seconds(first.tool_time_ms) },
          { benchmark: 'deploy-teardown', measure: 'deploy API calls', value: calls(first.api_calls) },
          {
            benchmark: 'deploy-teardown',
            measure: 'no-change deploy API calls',
            value: calls(again.api_calls),
            target: '0 mutating',
          },
          {
            benchmark: 'deploy-teardown',
            measure: 'teardown wall',
            value: `${seconds(down.wall_time_ms)}, ${calls(down.api_calls)}`,
          },
        ],
      };
    }),
};
