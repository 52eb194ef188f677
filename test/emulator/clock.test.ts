import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EmuClock } from '../../emulator/core/clock.js';
import { notFound } from '../../emulator/core/http-error.js';
import type { EmulatorModule } from '../../emulator/core/types.js';
import { accountModule } from '../../emulator/resources/account.js';
import { startTestEmulator, type TestEmulator } from '../support/emulator.js';

/** A resource whose status is derived from the virtual clock when read, as droplets' is. */
const bootsModule: EmulatorModule = {
  name: 'boots',
  register(core) {
    const createdAt = new Map<string, number>();
    core.route('POST', '/v2/probe/boots/:name', (req) => {
      createdAt.set(req.params.name!, core.clock.now());
      return { status: 201 };
    });
    core.route('GET', '/v2/probe/boots/:name', (req) => {
      const at = createdAt.get(req.params.name!);
      if (at === undefined) throw notFound();
      const status = core.clock.now() >= at + core.timing.dropletBootMs ? 'active' : 'new';
      return { status: 200, body: { status, created_at: core.clock.iso(at) } };
    });
  },
};

interface ClockBody {
  now: string;
  now_ms: number;
  time_scale: number;
}

describe('virtual clock', () => {
  it('runs time-scale times faster than the real clock and jumps on advance', () => {
    let real = 1_000_000;
    const clock = new EmuClock(10, () => real);
    real += 500;
    expect(clock.now()).toBe(1_005_000);
    clock.advance(60_000);
    expect(clock.now()).toBe(1_065_000);
    clock.setTimeScale(1);
    real += 500;
    expect(clock.now()).toBe(1_065_500);
    expect(clock.toReal(2_000)).toBe(2_000);
    expect(clock.iso(Date.UTC(2026, 0, 2, 3, 4, 5, 678))).toBe('2026-01-02T03:04:05Z');
  });

  it('rejects time scales outside (0, 10000] and negative advances', () => {
    expect(() => new EmuClock(0)).toThrow(RangeError);
    expect(() => new EmuClock(20_000)).toThrow(RangeError);
    expect(() => new EmuClock(1).advance(-1)).toThrow(RangeError);
  });

  it('sleeps virtual time scaled down to real time', async () => {
    const clock = new EmuClock(1000);
    const started = performance.now();
    await clock.sleep(100_000);
    expect(performance.now() - started).toBeGreaterThanOrEqual(95);
  });
});

describe('clock admin API and derived lifecycles', () => {
  let t: TestEmulator;

  beforeAll(async () => {
    // Boot time overridden below the realistic profile's, so the lifecycle test shows the override reaching modules.
    t = await startTestEmulator({
      modules: [accountModule, bootsModule],
      timeScale: 1,
      timing: { apiLatencyMs: 0, dropletBootMs: 30_000 },
    });
  });
  afterAll(async () => {
    await t?.stop();
  });
  beforeEach(async () => {
    await t.admin('POST', '/_emulator/clock', { time_scale: 1 });
  });

  const api = (method: string, path: string) =>
    t.fetch(`${t.emu.apiUrl}${path}`, { method, headers: { authorization: `Bearer ${t.emu.token}` } });
  const bootStatus = async (name: string) =>
    ((await (await api('GET', `/v2/probe/boots/${name}`)).json()) as { status: string }).status;

  it('reports the virtual time and the time scale', async () => {
    const clock = (await t.admin('GET', '/_emulator/clock')) as ClockBody;
    expect(clock.time_scale).toBe(1);
    expect(Math.abs(clock.now_ms - Date.now())).toBeLessThan(5_000);
    expect(clock.now).toBe(new Date(clock.now_ms).toISOString().replace(/\.\d{3}Z$/, 'Z'));
  });

  it('advances virtual time on request', async () => {
    const before = (await t.admin('GET', '/_emulator/clock')) as ClockBody;
    const after = (await t.admin('POST', '/_emulator/clock', { advance_ms: 86_400_000 })) as ClockBody;
    expect(after.now_ms - before.now_ms).toBeGreaterThanOrEqual(86_400_000);
    expect(after.now_ms - before.now_ms).toBeLessThan(86_400_000 + 5_000);
  });

  it('changes the time scale on request', async () => {
    const set = (await t.admin('POST', '/_emulator/clock', { time_scale: 1000 })) as ClockBody;
    expect(set.time_scale).toBe(1000);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const later = (await t.admin('GET', '/_emulator/clock')) as ClockBody;
    expect(later.now_ms - set.now_ms).toBeGreaterThanOrEqual(40_000);
  });

  it('refuses an invalid time scale or advance with 400', async () => {
    await expect(t.admin('POST', '/_emulator/clock', { time_scale: 0 })).rejects.toThrow(/400/);
    await expect(t.admin('POST', '/_emulator/clock', { time_scale: 'fast' })).rejects.toThrow(/400/);
    await expect(t.admin('POST', '/_emulator/clock', { advance_ms: -5 })).rejects.toThrow(/400/);
  });

  it('moves lifecycles derived from the clock, with the overridden timing, without any timer', async () => {
    expect((await api('POST', '/v2/probe/boots/web-1')).status).toBe(201);
    expect(await bootStatus('web-1')).toBe('new');
    await t.admin('POST', '/_emulator/clock', { advance_ms: 29_000 });
    expect(await bootStatus('web-1')).toBe('new');
    await t.admin('POST', '/_emulator/clock', { advance_ms: 1_000 });
    expect(await bootStatus('web-1')).toBe('active');
  });

  it('runs lifecycles faster at a faster time scale', async () => {
    await t.admin('POST', '/_emulator/clock', { time_scale: 500 });
    await api('POST', '/v2/probe/boots/web-2');
    expect(await bootStatus('web-2')).toBe('new');
    // 30 virtual seconds at 500× are 60 real milliseconds.
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(await bootStatus('web-2')).toBe('active');
  });

  it('stamps the request log with virtual time', async () => {
    await t.admin('DELETE', '/_emulator/requests');
    await t.admin('POST', '/_emulator/clock', { advance_ms: 365 * 86_400_000 });
    await api('GET', '/v2/account');
    const [entry] = (await t.requests()) as unknown as { time: string }[];
    const clock = (await t.admin('GET', '/_emulator/clock')) as ClockBody;
    expect(Math.abs(Date.parse(entry!.time) - clock.now_ms)).toBeLessThan(5_000);
    expect(Date.parse(entry!.time) - Date.now()).toBeGreaterThan(360 * 86_400_000);
  });
});
