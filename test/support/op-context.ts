import { join } from 'node:path';
import { systemClock } from '../../lib/clock.js';
import { loadEnv } from '../../lib/config/env.js';
import { type Deployment, loadManifest, resolveDeployment } from '../../lib/config/manifest.js';
import { createDeadline, noDeadline } from '../../lib/deadline.js';
import { createDoClient } from '../../lib/do/index.js';
import { AuditTrail } from '../../lib/log/audit.js';
import { createLogger } from '../../lib/log/logger.js';
import { Redactor } from '../../lib/log/redact.js';
import { createTiming } from '../../lib/ops/timing.js';
import type { OpContext, OpName, Progress } from '../../lib/ops/types.js';
import { withAppProof } from '../../lib/resources/app/proof-options.js';
import type { TestEmulator } from './emulator.js';

export const ROOT = join(import.meta.dirname, '..', '..');
/**
 * The container registry the tests' manifests name (the sample reads it from DO_REGISTRY_NAME). Not
 * `base2`: registry names are global, and the emulator holds that one for another customer.
 */
export const TEST_REGISTRY = 'base2-tests';
/** What the sample deployment.yml needs from the environment to load (it has no default registry name). */
export const SAMPLE_ENV: Readonly<Record<string, string>> = { DO_REGISTRY_NAME: TEST_REGISTRY };

export interface TestContext {
  ctx: OpContext;
  logs: string[];
  progress: Progress[];
  /** The sample manifest (deployment.yml) resolved for `environment`, pointed at the emulator. */
  deployment(environment?: string, extraEnv?: Record<string, string>): Deployment;
  envSource: Record<string, string>;
  close(): Promise<void>;
}

/**
 * An operation context wired to a test emulator exactly as runOperation wires it (validated env,
 * our dots client and transport, logger, audit), with fast polling and an optional deadline.
 */
export function testContext(
  t: TestEmulator,
  options: { op?: OpName; timeoutMs?: number; env?: Record<string, string>; pollMs?: number } = {},
): TestContext {
  const envSource: Record<string, string> = {
    DIGITALOCEAN_TOKEN: t.emu.token,
    DIGITALOCEAN_API_URL: t.emu.apiUrl,
    DIGITALOCEAN_CA_FILE: t.emu.caCertPath,
    DO_SSH_PORT: String(t.emu.sshPort),
    DO_HTTP_PORT: String(t.emu.httpPort),
    DO_REGISTRY_NAME: TEST_REGISTRY,
    ...options.env,
  };
  const env = loadEnv(envSource, { cwd: ROOT });
  const redactor = new Redactor();
  redactor.add(env.token);
  const logs: string[] = [];
  const progress: Progress[] = [];
  const log = createLogger({ sink: (l) => logs.push(l), level: 'debug', redactor, clock: systemClock });
  const api = createDoClient({
    token: env.token,
    apiUrl: env.apiUrl,
    caPem: t.emu.caPem,
    clock: systemClock,
    random: Math.random,
  });
  const pollMs = options.pollMs ?? 25;
  const ctx: OpContext = {
    op: options.op ?? 'deploy',
    env,
    api,
    log,
    audit: new AuditTrail(log, systemClock),
    clock: systemClock,
    random: Math.random,
    deadline: options.timeoutMs === undefined ? noDeadline() : createDeadline(systemClock, options.timeoutMs),
    cwd: ROOT,
    envSource,
    tuning: { pollInitialMs: pollMs, pollMaxMs: pollMs * 4, deleteSettleMs: 1_000 },
    timing: createTiming(systemClock),
    progress: (p) => progress.push(p),
  };
  return {
    ctx,
    logs,
    progress,
    envSource,
    // As every operation loads it (lib/ops/deployment.ts): the app spec carries the tool's proof.
    deployment: (environment = 'staging', extraEnv = {}) =>
      withAppProof(
        resolveDeployment(
          loadManifest(join(ROOT, 'deployment.yml'), { ...envSource, ...extraEnv }),
          environment,
          env,
        ),
        env.token,
        ROOT,
      ),
    close: () => api.close(),
  };
}
