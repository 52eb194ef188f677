/**
 * On DigitalOcean a droplet's `status` can still show the old power state a few seconds after its
 * power action completed (digitalocean/droplet_kit#50). A resize that went by that status would
 * power off again, be refused "Droplet is already powered off." and fail: the tool decides by the
 * actions' outcomes instead, and takes that refusal as the droplet being off.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { OWNER_TAG } from '../../lib/config/identity.js';
import { deployOperation } from '../../lib/ops/deploy/index.js';
import { powerOnAgain, resizeDroplet, runDropletAction } from '../../lib/resources/droplets/resize.js';
import { emulatorEnv, runOp, seedRegistry } from '../ops/support.js';
import { startTestEmulator, type TestEmulator } from '../support/emulator.js';
import { testContext } from '../support/op-context.js';

const SLUG = 'base2-rolling';
const SMALL = 's-1vcpu-1gb';
const BIG = 's-2vcpu-2gb';
// The emulator's realistic lag is 5 s of virtual time; the tool's polls here are tens of virtual
// seconds apart, so the window is widened to make every read after a power action fall inside it.
const LAG_MS = 300_000;
let t: TestEmulator;

beforeAll(async () => {
  t = await startTestEmulator({ timeScale: 400, timing: { statusLagMs: LAG_MS } });
  await seedRegistry(t);
});
afterAll(async () => {
  await t.stop();
});
afterEach(async () => {
  await t.admin('POST', '/_emulator/clock', { time_scale: 400 });
});
beforeEach(async () => {
  await t.dots.v2.droplets.delete({ queryParameters: { tagName: SLUG } }).catch(() => undefined);
  const { report } = await deploy(SMALL);
  expect(report.status, JSON.stringify(report.result)).toBe('succeeded');
  await t.admin('DELETE', '/_emulator/requests');
});

interface Applied {
  applied: Array<{ name: string; outcome: string; detail?: string }>;
}

const deploy = (size: string) =>
  runOp<Applied>(
    t,
    deployOperation,
    { env: 'rolling' },
    {
      env: {
        ...emulatorEnv(t),
        BASE2_MANIFEST: 'test/resources/fixtures/rolling-resize.yml',
        ROLL_SIZE: size,
      },
    },
  );

async function droplets(): Promise<Array<{ id: number; name: string; size: string; status: string }>> {
  const r = await t.dots.v2.droplets.get({ queryParameters: { tagName: SLUG, perPage: 200 } });
  return (r?.droplets ?? [])
    .filter((d) => d.tags?.includes(OWNER_TAG))
    .map((d) => ({ id: d.id!, name: d.name!, size: d.sizeSlug!, status: String(d.status) }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** Which droplet each action request went to, and how the emulator answered. */
async function actionRequests(): Promise<Array<[number, number]>> {
  return (await t.requests()).flatMap((r) => {
    const match = r.method === 'POST' ? /^\/v2\/droplets\/(\d+)\/actions$/.exec(r.path) : null;
    return match ? [[Number(match[1]), r.status] as [number, number]] : [];
  });
}

describe('a resize through the lag of droplet status behind completed power actions', () => {
  it('goes by each completed action, so no droplet is powered off twice and the roll succeeds', async () => {
    const all = await droplets();
    const { report } = await deploy(BIG);
    expect(report.status, JSON.stringify(report.result)).toBe('succeeded');
    expect(await droplets()).toEqual(all.map((d) => ({ ...d, size: BIG, status: 'active' })));
    // Power off, resize, power on per droplet — every one accepted, none repeated.
    expect(await actionRequests()).toEqual(all.flatMap((d) => [201, 201, 201].map((s) => [d.id, s])));
    expect(report.audit.filter((a) => a.outcome !== 'ok')).toEqual([]);
  });

  /** Powers a droplet off by hand and returns once the action is completed: its status still reads active. */
  async function poweredOffByHand(id: number): Promise<void> {
    const off = await t.dots.v2.droplets.byDroplet_id(id).actions.post({ type: 'power_off' } as never);
    await expect
      .poll(async () => (await t.dots.v2.actions.byAction_id(off!.action!.id!).get())?.action?.status)
      .toBe('completed');
    // Slowed down, so the lag outlasts however long the test's next requests take (afterEach restores it).
    await t.admin('POST', '/_emulator/clock', { time_scale: 40 });
    expect((await droplets()).find((d) => d.id === id)?.status).toBe('active');
    await t.admin('DELETE', '/_emulator/requests');
  }

  it('takes the refusal ‘Droplet is already powered off.’ as the droplet being off, when it finds the status behind', async () => {
    const [first] = await droplets();
    const { ctx, close } = testContext(t);
    await poweredOffByHand(first!.id);
    try {
      const steps = await resizeDroplet(ctx, SLUG, { name: first!.name, id: first!.id, size: BIG });
      expect(steps.map((s) => [s.outcome, s.detail])).toEqual([
        ['ok', 'power off: it was off already'],
        ['ok', `resize to ${BIG}`],
        ['ok', 'power on'],
      ]);
      expect(await actionRequests()).toEqual([
        [first!.id, 422],
        [first!.id, 201],
        [first!.id, 201],
      ]);
      const audited = ctx.audit.records().map((a) => `${a.action} ${a.outcome}`);
      expect(audited).toEqual(['power_off failed', 'resize ok', 'power_on ok']);
      expect(ctx.audit.records()[0]?.detail).toContain('Droplet is already powered off');
    } finally {
      await close();
    }
    await t.admin('POST', '/_emulator/clock', { time_scale: 400 });
    await expect
      .poll(async () => (await droplets()).find((d) => d.id === first!.id))
      .toMatchObject({ size: BIG, status: 'active' });
  });

  it('powers a droplet on again after a failed resize though its status still reads active', async () => {
    const [first] = await droplets();
    const { ctx, close } = testContext(t);
    await poweredOffByHand(first!.id);
    try {
      const target = { name: first!.name, id: first!.id, size: BIG };
      // What the resize's completed power off showed: the status alone would say it is running.
      expect(await powerOnAgain(ctx, SLUG, target, { known: { status: 'off' } })).toBe(
        `${first!.name} was powered on again`,
      );
      expect(await actionRequests()).toEqual([[first!.id, 201]]);
    } finally {
      await close();
    }
  });

  it('waits out the refusal of an action while another is pending and posts it again, as Terraform’s provider does', async () => {
    const [first] = await droplets();
    const { ctx, close } = testContext(t);
    try {
      // DigitalOcean's `locked` is no sign of a running action: one (a resize, the longest) is
      // running when the tool posts.
      await poweredOffByHand(first!.id);
      await t.dots.v2.droplets
        .byDroplet_id(first!.id)
        .actions.post({ type: 'resize', size: BIG, disk: false } as never);
      await t.admin('DELETE', '/_emulator/requests');
      const target = { name: first!.name, id: first!.id };
      expect(await runDropletAction(ctx, SLUG, target, { type: 'enable_backups' } as never)).toEqual({
        state: 'ready',
      });
      const answers = (await actionRequests()).map(([, status]) => status);
      expect(answers[0]).toBe(422);
      expect(answers.at(-1)).toBe(201);
      expect(ctx.audit.records().at(-1)).toMatchObject({ action: 'enable_backups', outcome: 'ok' });
    } finally {
      await close();
    }
  });
});
