import { type Clock, systemClock } from '../../lib/clock.js';
import { RateBudget } from '../../lib/do/index.js';
import { runOperation } from '../../lib/ops/run.js';
import type { AnyOperation, OpReport, Tuning } from '../../lib/ops/types.js';
import type { TestEmulator } from '../support/emulator.js';
import { ROOT, TEST_REGISTRY } from '../support/op-context.js';

/** The environment a user would put in .env to point the tool at this emulator. */
/** The SECRET value runOp's environment sets (BASE2_SECRET_KEY); contexts comparing with its deploys need it too. */
export const USERS_SECRET_KEY = 'test-secret-key-of-the-users-own-0f3a9c';

export function emulatorEnv(t: TestEmulator, extra: Record<string, string> = {}): Record<string, string> {
  return {
    DIGITALOCEAN_TOKEN: t.emu.token,
    DIGITALOCEAN_API_URL: t.emu.apiUrl,
    DIGITALOCEAN_CA_FILE: t.emu.caCertPath,
    DO_SSH_PORT: String(t.emu.sshPort),
    DO_HTTP_PORT: String(t.emu.httpPort),
    DO_REGISTRY_NAME: TEST_REGISTRY,
    DEPLOY_ENV: 'staging',
    // A value of the user's own, as the README asks: the spec file's default is published.
    BASE2_SECRET_KEY: USERS_SECRET_KEY,
    ...extra,
  };
}

export interface RunResult<R> {
  report: OpReport<R>;
  logs: string[];
}

/** Runs an operation exactly as `npm run invoke` does, against the emulator, with fast polling. */
export async function runOp<R = unknown>(
  t: TestEmulator,
  operation: AnyOperation,
  input: Record<string, unknown>,
  options: { timeoutMs?: number; env?: Record<string, string>; clock?: Clock; tuning?: Partial<Tuning> } = {},
): Promise<RunResult<R>> {
  const logs: string[] = [];
  const report = await runOperation(operation, input, {
    envSource: emulatorEnv(t, options.env),
    cwd: ROOT,
    clock: options.clock ?? systemClock,
    random: Math.random,
    logSink: (line) => logs.push(line),
    timeoutMs: options.timeoutMs ?? 60_000,
    // The emulator's DigitalOcean runs hundreds of times faster than the tool's clock.
    tuning: { pollInitialMs: 20, pollMaxMs: 100, deleteSettleMs: 1_000, ...options.tuning },
    // Each test's emulator runs its own sped-up clock: a budget per call, not the process's shared one.
    budget: new RateBudget({ clock: systemClock }),
  });
  return { report: report as OpReport<R>, logs };
}

/** The account as CI leaves it before a deploy: the registry exists and the images are pushed. */
export async function seedRegistry(t: TestEmulator, tags: readonly string[] = ['latest', '1.4.2', 'bad']) {
  await t.dots.v2.registry.post({ name: TEST_REGISTRY, subscriptionTierSlug: 'basic', region: 'nyc3' });
  for (const tag of tags) await t.admin('POST', '/_emulator/registry/images', { repository: 'base2', tag });
}

/** What the app's live URL serves: the emulator answers with the active deployment's image and env. */
export async function liveVersion(
  t: TestEmulator,
  url: string,
): Promise<{ image: string; deployment_id: string; env: Record<string, string> }> {
  const response = await t.fetch(url);
  if (response.status !== 200) throw new Error(`live URL answered ${response.status}`);
  return (await response.json()) as never;
}

export function mutatingCalls(report: OpReport): number {
  return report.api_calls.mutating;
}

/**
 * A deployment of droplets only, in environment `env` of a registry the tests seed: `count`
 * droplets answering on the emulator's HTTP port, and with `domain`, an A record at its apex.
 */
export function dropletsManifest(env: string, count: number, domain?: string): string {
  const records = domain
    ? `domain:
  name: ${domain}
  records:
    - { type: A, name: '@', target: droplets }
`
    : '';
  return `name: base2
region: nyc3
environments: { ${env}: {} }
registry: { name: base2-tests, subscription_tier: basic, region: nyc3 }
droplets:
  count: ${count}
  size: s-1vcpu-1gb
  image: debian-12-x64
  ssh_key:
    public_key: ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJeX1kgymIaelKiSqc7R9gXuaWcWSLoQsfOiFyHXIcgV base2-placeholder
  container: { image: registry.digitalocean.com/base2-tests/base2:latest, port: 8080 }
  health: { port: \${DO_HTTP_PORT:-80}, path: /healthz }
${records}`;
}
