/**
 * Resizes roll one droplet at a time, through deploy and through edit (and the edit's restore),
 * so a failure part-way never leaves the deployment with every droplet down.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../lib/clock.js';
import { OWNER_TAG } from '../../lib/config/identity.js';
import { RateBudget } from '../../lib/do/index.js';
import { deployOperation } from '../../lib/ops/deploy/index.js';
import { editOperation } from '../../lib/ops/edit/index.js';
import { runOperation } from '../../lib/ops/run.js';
import type { AnyOperation, OpReport, Progress } from '../../lib/ops/types.js';
import type { DropletState } from '../../lib/resources/droplets/model.js';
import { rollFailure, rollOrder } from '../../lib/resources/droplets/rolling-resize.js';
import { emulatorEnv, seedRegistry } from '../ops/support.js';
import { startTestEmulator, type TestEmulator } from '../support/emulator.js';
import { ROOT } from '../support/op-context.js';

const MANIFEST = { BASE2_MANIFEST: 'test/resources/fixtures/rolling-resize.yml' };
const SLUG = 'base2-rolling';
const SMALL = 's-1vcpu-1gb';
const BIG = 's-2vcpu-2gb';
let t: TestEmulator;

beforeAll(async () => {
  t = await startTestEmulator({ timeScale: 400 });
  await seedRegistry(t);
});
afterAll(async () => {
  await t.stop();
});
// Every test starts from three small droplets, deployed and serving.
beforeEach(async () => {
  await t.admin('DELETE', '/_emulator/faults');
  await t.dots.v2.droplets.delete({ queryParameters: { tagName: SLUG } }).catch(() => undefined);
  await t.untilDropletsGone({ tag: SLUG });
  const { report } = await run(deployOperation, {});
  expect(report.status, JSON.stringify(report.result)).toBe('succeeded');
  await t.admin('DELETE', '/_emulator/requests');
});

interface Run {
  report: OpReport<{ failure?: { detail: string }; restore?: { ok: boolean; details: string[] } }>;
  progress: Progress[];
}

/** Runs an operation on the `rolling` environment as `npm run invoke` does, keeping its progress lines. */
async function run(
  operation: AnyOperation,
  input: Record<string, unknown>,
  size = SMALL,
  timeoutMs = 60_000,
): Promise<Run> {
  const progress: Progress[] = [];
  const report = await runOperation(
    operation,
    { env: 'rolling', ...input },
    {
      envSource: emulatorEnv(t, { ...MANIFEST, ROLL_SIZE: size }),
      cwd: ROOT,
      clock: systemClock,
      random: Math.random,
      logSink: () => undefined,
      timeoutMs,
      tuning: { pollInitialMs: 20, pollMaxMs: 100 },
      budget: new RateBudget({ clock: systemClock }),
      onProgress: (p) => progress.push(p),
    },
  );
  return { report: report as Run['report'], progress };
}

interface Seen {
  id: number;
  name: string;
  size: string;
  status: string;
}

/** The owned droplets, by name. */
async function droplets(): Promise<Seen[]> {
  const r = await t.dots.v2.droplets.get({ queryParameters: { tagName: SLUG, perPage: 200 } });
  return (r?.droplets ?? [])
    .filter((d) => d.tags?.includes(OWNER_TAG))
    .map((d) => ({ id: d.id!, name: d.name!, size: d.sizeSlug!, status: String(d.status) }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** Which droplet each action request went to, in the order the emulator answered them. */
async function actionTargets(): Promise<number[]> {
  return (await t.requests()).flatMap((r) => {
    const match = r.method === 'POST' ? /^\/v2\/droplets\/(\d+)\/actions$/.exec(r.path) : null;
    return match ? [Number(match[1])] : [];
  });
}

/** Each droplet's action types, oldest first. */
async function actionTypes(id: number): Promise<string[]> {
  const r = await t.dots.v2.droplets.byDroplet_id(id).actions.get({ queryParameters: { perPage: 200 } });
  return (r?.actions ?? [])
    .sort((a, b) => a.startedAt!.getTime() - b.startedAt!.getTime())
    .map((a) => String(a.type));
}

/** From a power off starting to the power on after it completing, on the emulator's clock. */
async function downtimes(d: Seen): Promise<Array<{ name: string; from: number; to: number }>> {
  const r = await t.dots.v2.droplets.byDroplet_id(d.id).actions.get({ queryParameters: { perPage: 200 } });
  const actions = (r?.actions ?? []).sort((a, b) => a.startedAt!.getTime() - b.startedAt!.getTime());
  return actions.flatMap((a, i) => {
    if (a.type !== 'power_off') return [];
    const on = actions.slice(i + 1).find((x) => x.type === 'power_on');
    const to = on?.completedAt?.getTime() ?? Number.POSITIVE_INFINITY;
    return [{ name: d.name, from: a.startedAt!.getTime(), to }];
  });
}

/** No two droplets were down at the same moment, so the others kept serving throughout. */
async function expectNoOverlap(all: Seen[]): Promise<void> {
  const spans = (await Promise.all(all.map(downtimes))).flat();
  for (const a of spans) {
    for (const b of spans) {
      if (a === b || a.name === b.name) continue;
      expect(a.to <= b.from || b.to <= a.from, `${a.name} and ${b.name} were down together`).toBe(true);
    }
  }
}

/** Fails the resize request of `d` (its second action: the power off before it passes). */
const failResizeOf = (d: Seen) =>
  t.admin('POST', '/_emulator/faults', {
    method: 'POST',
    path: `/v2/droplets/${d.id}/actions`,
    mode: 'error',
    status: 500,
    skip: 1,
    count: 1,
  });

describe('rolling droplet resizes', () => {
  it('a failed resize of the second droplet powers it on again, leaves the third untouched, and deploy again finishes the roll', async () => {
    const [first, second, third] = await droplets();
    await failResizeOf(second!);

    const failed = await run(deployOperation, {}, BIG);
    expect(failed.report.status).toBe('failed');
    expect(await droplets()).toEqual([
      { ...first!, size: BIG, status: 'active' },
      { ...second!, size: SMALL, status: 'active' },
      { ...third!, size: SMALL, status: 'active' },
    ]);
    const detail = failed.report.result.failure?.detail ?? '';
    expect(detail).toContain(`Resizing droplet ${second!.name} to ${BIG} failed`);
    expect(detail).toContain(`${third!.name} not touched`);
    expect(await actionTypes(third!.id)).toEqual(['create']);
    expect(await actionTypes(second!.id)).toEqual(['create', 'power_off', 'power_on']);
    // One droplet at a time: its three actions, then the next one's.
    expect(await actionTargets()).toEqual([first, first, first, second, second, second].map((d) => d!.id));
    await expectNoOverlap([first!, second!, third!]);
    const audited = failed.report.audit.filter((a) => a.resource === `droplet ${second!.name}`);
    expect(audited.map((a) => `${a.action} ${a.outcome}`)).toEqual([
      'power_off ok',
      'resize failed',
      'power_on ok',
    ]);
    const resizing = failed.progress.filter((p) => p.step.startsWith('resizing droplet'));
    expect(resizing.map((p) => p.step)).toEqual([
      `resizing droplet ${first!.name}`,
      `resizing droplet ${second!.name}`,
    ]);

    await t.admin('DELETE', '/_emulator/requests');
    const again = await run(deployOperation, {}, BIG);
    expect(again.report.status, JSON.stringify(again.report.result)).toBe('succeeded');
    expect(await droplets()).toEqual(
      [first, second, third].map((d) => ({ ...d!, size: BIG, status: 'active' })),
    );
    expect(await actionTargets()).toEqual([second, second, second, third, third, third].map((d) => d!.id));
    await expectNoOverlap([first!, second!, third!]);
    expect((await run(deployOperation, {}, BIG)).report.status).toBe('noop');
  });

  it('a resize DigitalOcean carried out though its answer was lost: that droplet is powered on at its new size, the third untouched', async () => {
    const [first, second, third] = await droplets();
    await t.admin('POST', '/_emulator/faults', {
      method: 'POST',
      path: `/v2/droplets/${second!.id}/actions`,
      mode: 'commit-then-error',
      status: 500,
      skip: 1,
      count: 1,
    });
    const failed = await run(deployOperation, {}, BIG);
    expect(failed.report.status).toBe('failed');
    expect(await droplets()).toEqual([
      { ...first!, size: BIG, status: 'active' },
      { ...second!, size: BIG, status: 'active' },
      { ...third!, size: SMALL, status: 'active' },
    ]);
    expect(await actionTypes(third!.id)).toEqual(['create']);
    await expectNoOverlap([first!, second!, third!]);
  });

  it('an edit whose resize fails half-way rolls the resized droplet back, one at a time, leaving the rest untouched', async () => {
    const [first, second, third] = await droplets();
    await failResizeOf(second!);

    const edit = await run(editOperation, { droplet_size: BIG });
    expect(edit.report.status).toBe('failed');
    expect(await droplets()).toEqual(
      [first, second, third].map((d) => ({ ...d!, size: SMALL, status: 'active' })),
    );
    expect(edit.report.result.failure?.detail).toContain(`Resizing droplet ${second!.name}`);
    expect(edit.report.result.restore?.ok, JSON.stringify(edit.report.result.restore)).toBe(true);
    expect(await actionTypes(first!.id)).toEqual([
      'create',
      ...['power_off', 'resize', 'power_on'],
      ...['power_off', 'resize', 'power_on'],
    ]);
    expect(await actionTypes(third!.id)).toEqual(['create']);
    await expectNoOverlap([first!, second!, third!]);
  });

  it('resizes every droplet, one after the other, each serving again before the next goes down', async () => {
    const all = await droplets();
    const report = await run(editOperation, { droplet_size: BIG });
    expect(report.report.status, JSON.stringify(report.report.result)).toBe('succeeded');
    expect(await droplets()).toEqual(all.map((d) => ({ ...d, size: BIG, status: 'active' })));
    expect(await actionTargets()).toEqual(all.flatMap((d) => [d.id, d.id, d.id]));
    await expectNoOverlap(all);
  });

  it('droplets left powered off are resized first, so the one still serving goes down last', async () => {
    const [first, second, third] = await droplets();
    for (const d of [second!, third!]) {
      await t.dots.v2.droplets.byDroplet_id(d.id).actions.post({ type: 'power_off' } as never);
    }
    await expect.poll(async () => (await droplets()).map((d) => d.status)).toEqual(['active', 'off', 'off']);
    await t.admin('DELETE', '/_emulator/requests');

    const { report } = await run(deployOperation, {}, BIG);
    expect(report.status, JSON.stringify(report.result)).toBe('succeeded');
    expect(await droplets()).toEqual(
      [first, second, third].map((d) => ({ ...d!, size: BIG, status: 'active' })),
    );
    // The two that were off: resize and power on each; then the running one: off, resize, on.
    expect(await actionTargets()).toEqual(
      [second, second, third, third, first, first, first].map((d) => d!.id),
    );
  });

  it('a deadline part-way leaves the droplets not yet reached untouched, and the next deploy goes on from there', async () => {
    const [first, second, third] = await droplets();
    // Slow enough that one resize outlasts the deadline.
    await t.admin('POST', '/_emulator/clock', { time_scale: 20 });
    let resume: string | undefined;
    try {
      const cut = await run(deployOperation, {}, BIG, 1_500);
      expect(cut.report.status, JSON.stringify(cut.report.result)).toBe('in_progress');
      // The cut deploy keeps the deployment locked for its next call, which brings the token back.
      resume = (cut.report.result as { resume?: string }).resume;
      const left = (cut.report.result as { applied: Array<{ name: string; outcome: string }> }).applied
        .filter((a) => a.outcome === 'skipped')
        .map((a) => a.name);
      expect(left).toEqual(expect.arrayContaining([second!.name, third!.name]));
      expect(await actionTypes(second!.id)).toEqual(['create']);
      expect(await actionTypes(third!.id)).toEqual(['create']);
      expect(await actionTypes(first!.id)).toContain('power_off');
    } finally {
      await t.admin('POST', '/_emulator/clock', { time_scale: 400 });
    }
    const { report } = await run(deployOperation, { resume }, BIG);
    expect(report.status, JSON.stringify(report.result)).toBe('succeeded');
    expect(await droplets()).toEqual(
      [first, second, third].map((d) => ({ ...d!, size: BIG, status: 'active' })),
    );
    await expectNoOverlap([first!, second!, third!]);
  });

  it('an edit cut short by the deadline mid-roll is in progress, not failed or restored, and the next call finishes it', async () => {
    const all = await droplets();
    await t.admin('POST', '/_emulator/clock', { time_scale: 20 });
    let resume: string | undefined;
    try {
      const cut = await run(editOperation, { droplet_size: BIG }, SMALL, 1_500);
      expect(cut.report.status, JSON.stringify(cut.report.result)).toBe('in_progress');
      resume = (cut.report.result as { resume?: string }).resume;
      expect(cut.report.result.restore).toBeUndefined();
    } finally {
      await t.admin('POST', '/_emulator/clock', { time_scale: 400 });
    }
    const { report } = await run(editOperation, { droplet_size: BIG, resume });
    expect(report.status, JSON.stringify(report.result)).toBe('succeeded');
    expect(await droplets()).toEqual(all.map((d) => ({ ...d, size: BIG, status: 'active' })));
    await expectNoOverlap(all);
  });
});

describe('the order and the words of a roll', () => {
  const x = (id: number, size = BIG) => ({ name: `web-${id}`, id, size });
  const state = (id: number, status: string) =>
    ({ id, name: `web-${id}`, status, size: SMALL }) as DropletState;

  it('puts droplets that are not running first, keeping the plan order otherwise', () => {
    const order = rollOrder(
      [x(1), x(2), x(3), x(4)],
      [state(1, 'active'), state(2, 'off'), state(4, 'active')],
    );
    expect(order.map((o) => o.id)).toEqual([2, 3, 1, 4]);
  });

  it('names the droplet that failed, what became of it, and the ones not touched', () => {
    expect(rollFailure(x(2), 'the API said no.', [x(1)], [x(3), x(4)], 'web-2 was powered on again')).toBe(
      `Resizing droplet web-2 to ${BIG} failed: the API said no. web-2 was powered on again; web-1 resized and serving; web-3, web-4 not touched, still running as before.`,
    );
    expect(rollFailure(x(1), 'no answer', [], [])).toBe(
      `Resizing droplet web-1 to ${BIG} failed: no answer. no other droplet was touched.`,
    );
  });
});
