/**
 * A droplet of the deployment left powered off — by an edit or deploy killed mid-resize, or by
 * hand — is one of maintain's safe repairs: it is powered on at the size it has (never resized) and
 * must answer its health URL again; report-only names it and changes nothing; a live lock holder
 * (which may be mid-resize) is left alone.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { holderName, lockPublicKey } from '../../lib/lock/index.js';
import { type DeployResult, deployOperation } from '../../lib/ops/deploy/index.js';
import { type MaintainResult, maintainOperation } from '../../lib/ops/maintain/index.js';
import { startTestEmulator, type TestEmulator } from '../support/emulator.js';
import { runOp, seedRegistry } from './support.js';

const MANIFEST = { BASE2_MANIFEST: 'test/ops/fixtures/deployment.yml' };
const SLUG = 'base2-droponly';
let t: TestEmulator;

beforeEach(async () => {
  t = await startTestEmulator({ timeScale: 400 });
  await seedRegistry(t);
  const { report } = await runOp<DeployResult>(t, deployOperation, { env: 'droponly' }, { env: MANIFEST });
  expect(report.status, JSON.stringify(report.result.failure)).toBe('succeeded');
});
afterEach(async () => {
  await t.stop();
});

const maintain = async (input: Record<string, unknown> = {}) =>
  (await runOp<MaintainResult>(t, maintainOperation, { env: 'droponly', ...input }, { env: MANIFEST }))
    .report;

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

type Droplet = { id: number; name: string; size_slug: string; status: string };
const droplets = async () =>
  (await api<{ droplets: Droplet[] }>('GET', `/v2/droplets?tag_name=${SLUG}&per_page=200`)).droplets.sort(
    (a, b) => a.name.localeCompare(b.name),
  );

/** Posts a droplet action by hand and waits until it has completed and the status shows it. */
async function act(id: number, body: Record<string, unknown>, status: string): Promise<void> {
  const { action } = await api<{ action: { id: number } }>('POST', `/v2/droplets/${id}/actions`, body);
  for (let i = 0; ; i++) {
    const done = await api<{ action: { status: string } }>('GET', `/v2/actions/${action.id}`);
    const now = await api<{ droplet: Droplet }>('GET', `/v2/droplets/${id}`);
    if (done.action.status === 'completed' && now.droplet.status === status) return;
    if (i > 500) throw new Error(`action ${body.type} on ${id} did not complete`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const mutatingRequests = async () =>
  (await t.requests()).filter((r) => !['GET', 'HEAD'].includes(r.method)).map((r) => `${r.method} ${r.path}`);

describe('maintain powers on droplets left off', () => {
  it('names a droplet left off in report-only and changes nothing; a run powers it on and it answers again', async () => {
    const [off] = await droplets();
    await act(off!.id, { type: 'power_off' }, 'off');
    await t.admin('DELETE', '/_emulator/requests');

    const report = await maintain({ report_only: true });
    expect(report.result.drift).toContainEqual(
      expect.objectContaining({ kind: 'droplet', name: off!.name, treatment: 'repair' }),
    );
    expect(report.result.drift.find((d) => d.name === off!.name)?.note).toMatch(/powered on/);
    expect(await mutatingRequests()).toEqual([]);
    expect((await droplets()).find((d) => d.id === off!.id)?.status).toBe('off');

    const repaired = await maintain();
    expect(repaired.status, JSON.stringify(repaired.result, null, 1)).toBe('succeeded');
    expect(repaired.result.repaired).toContainEqual(
      expect.objectContaining({ kind: 'droplet', name: off!.name, outcome: 'ok', detail: 'power on' }),
    );
    expect((await droplets()).map((d) => `${d.size_slug} ${d.status}`)).toEqual([
      's-1vcpu-1gb active',
      's-1vcpu-1gb active',
    ]);
    expect(repaired.result.health.filter((c) => c.kind === 'droplet').every((c) => c.ok)).toBe(true);
    expect((await maintain()).status).toBe('noop');
  });

  it('powers on a droplet a resize left off at its new size, without resizing it back, and reports the size', async () => {
    const [off] = await droplets();
    await act(off!.id, { type: 'power_off' }, 'off');
    await act(off!.id, { type: 'resize', size: 's-2vcpu-2gb', disk: false }, 'off');

    const report = await maintain();
    expect(report.status, JSON.stringify(report.result, null, 1)).toBe('succeeded');
    const now = (await droplets()).find((d) => d.id === off!.id)!;
    expect(`${now.size_slug} ${now.status}`).toBe('s-2vcpu-2gb active');
    expect(report.result.remaining).toContainEqual(
      expect.objectContaining({ kind: 'droplet', name: off!.name, treatment: 'report' }),
    );
    expect(report.result.health.filter((c) => c.kind === 'droplet').every((c) => c.ok)).toBe(true);
  });

  it('leaves a droplet off while a live operation holds the lock: it may be mid-resize', async () => {
    const [off] = await droplets();
    await act(off!.id, { type: 'power_off' }, 'off');
    const holder = { op: 'edit', holder: '0badc0de', since: Date.now(), until: Date.now() + 120_000 };
    await api('POST', '/v2/account/keys', {
      name: holderName(SLUG, holder),
      public_key: lockPublicKey(SLUG),
    });
    await t.admin('DELETE', '/_emulator/requests');

    const report = await maintain();
    expect(await mutatingRequests()).toEqual(['POST /v2/account/keys']);
    expect(report.result.repaired).toEqual([]);
    expect(report.result.advice.join(' ')).toContain(
      'Nothing was repaired: edit of base2-droponly is running',
    );
    expect((await droplets()).find((d) => d.id === off!.id)?.status).toBe('off');
  });
});
