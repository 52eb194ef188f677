import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type DeployResult, deployOperation } from '../../lib/ops/deploy/index.js';
import { type MaintainResult, maintainOperation } from '../../lib/ops/maintain/index.js';
import { startTestEmulator, type TestEmulator } from '../support/emulator.js';
import { runOp, seedRegistry } from './support.js';

const MANIFEST = { BASE2_MANIFEST: 'test/ops/fixtures/deployment.yml' };
let t: TestEmulator;

beforeEach(async () => {
  t = await startTestEmulator({ timeScale: 400 });
  await seedRegistry(t);
});
afterEach(async () => {
  await t.stop();
});

async function deploy(env: string) {
  const { report } = await runOp<DeployResult>(t, deployOperation, { env }, { env: MANIFEST });
  expect(report.status, JSON.stringify(report.result.failure)).toBe('succeeded');
}

const maintain = async (env: string) =>
  (await runOp<MaintainResult>(t, maintainOperation, { env }, { env: MANIFEST })).report;

/** A change made by hand, straight through the API (snake_case JSON, as curl would send it). */
async function api<T = Record<string, never>>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await t.fetch(`${t.emu.apiUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${t.emu.token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (response.status >= 400)
    throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return (response.status === 204 ? {} : await response.json()) as T;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** One droplet action, waited for as a person at the control panel would. */
async function act(id: number, body: Record<string, unknown>) {
  const { action } = await api<{ action: { id: number } }>('POST', `/v2/droplets/${id}/actions`, body);
  await until(`${body.type} of droplet ${id}`, async () => {
    const { action: now } = await api<{ action: { status: string } }>('GET', `/v2/actions/${action.id}`);
    return now.status === 'completed' ? true : undefined;
  });
}

type Droplet = { id: number; name: string; size_slug: string };
type App = {
  id: string;
  spec: { name: string; services: { envs: { key: string; value?: string }[] }[] };
  active_deployment?: { id: string };
  in_progress_deployment?: { id: string };
};

describe('maintain reports what only deploy converges, and changes none of it', () => {
  it('a droplet resized by hand is reported, not resized back', async () => {
    await deploy('droponly');
    const { droplets } = await api<{ droplets: Droplet[] }>('GET', '/v2/droplets?tag_name=base2-droponly');
    const target = droplets[0]!;
    await act(target.id, { type: 'power_off' });
    await act(target.id, { type: 'resize', size: 's-2vcpu-2gb', disk: false });
    await act(target.id, { type: 'power_on' });

    const report = await maintain('droponly');
    expect(report.api_calls.mutating).toBe(0);
    expect(report.result.drift).toEqual([
      expect.objectContaining({ kind: 'droplet', action: 'update', name: target.name, treatment: 'report' }),
    ]);
    expect(report.result.drift[0]?.what).toBe('size s-2vcpu-2gb → s-1vcpu-1gb');
    expect(report.status).toBe('succeeded');
    expect(report.result.health.every((c) => c.ok)).toBe(true);
    expect(report.result.advice.join(' ')).toContain('run deploy');
    const { droplet } = await api<{ droplet: Droplet }>('GET', `/v2/droplets/${target.id}`);
    expect(droplet.size_slug).toBe('s-2vcpu-2gb');
  });

  it('an app env changed by hand is reported (deploy converges it), not redeployed', async () => {
    await deploy('apponly');
    const { apps } = await api<{ apps: App[] }>('GET', '/v2/apps?per_page=200');
    const app = apps.find((a) => a.spec.name === 'base2-apponly')!;
    const spec = structuredClone(app.spec);
    const level = spec.services[0]!.envs.find((e) => e.key === 'BASE2_LOG_LEVEL')!;
    level.value = 'debug';
    await api('PUT', `/v2/apps/${app.id}`, { spec });
    await until('the hand-made deployment to go live', async () => {
      const { app: now } = await api<{ app: App }>('GET', `/v2/apps/${app.id}`);
      const live = now.active_deployment?.id !== app.active_deployment?.id && !now.in_progress_deployment;
      return live ? now : undefined;
    });

    const report = await maintain('apponly');
    expect(report.api_calls.mutating).toBe(0);
    expect(report.result.drift).toEqual([
      expect.objectContaining({ kind: 'app', action: 'update', name: 'base2-apponly', treatment: 'report' }),
    ]);
    expect(report.result.drift[0]?.what).toContain('BASE2_LOG_LEVEL');
    expect(report.result.health.every((c) => c.ok)).toBe(true);
    expect(report.status).toBe('succeeded');
    expect(report.result.advice.join(' ')).toContain('never redeploys');
    const { app: after } = await api<{ app: App }>('GET', `/v2/apps/${app.id}`);
    expect(after.spec.services[0]!.envs.find((e) => e.key === 'BASE2_LOG_LEVEL')?.value).toBe('debug');
    expect(maintainOperation.render!(report)).toContain('maintain never changes the app');
  });
});
