import { RetryHandlerOptions } from '@microsoft/kiota-http-fetchlibrary';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { EmulatorModule } from '../../emulator/core/types.js';
import { accountModule } from '../../emulator/resources/account.js';
import { startTestEmulator, type TestEmulator } from '../support/emulator.js';

/** A resource with state, so "commit" modes can be told apart from plain failures. */
const widgetsModule: EmulatorModule = {
  name: 'widgets',
  register(core) {
    const widgets: string[] = [];
    core.route('POST', '/v2/probe/widgets', (req) => {
      widgets.push((req.body as { name: string }).name);
      return { status: 201, body: { widget: { name: widgets.at(-1) } } };
    });
    core.state('widgets', { dump: () => [...widgets], reset: () => widgets.splice(0) });
  },
};

interface Rule {
  id: string;
  kind: string;
  hits: number;
  count?: number;
}

describe('fault injection', () => {
  let t: TestEmulator;

  beforeAll(async () => {
    t = await startTestEmulator({ modules: [accountModule, widgetsModule] });
  });
  afterAll(async () => {
    await t?.stop();
  });
  beforeEach(async () => {
    await t.admin('POST', '/_emulator/reset');
  });

  const addFault = async (rule: Record<string, unknown>) =>
    ((await t.admin('POST', '/_emulator/faults', rule)) as { faults: Rule[] }).faults[0]!;
  /** The status dots saw (no retries, so every injected 5xx/429 is visible once). */
  const account = () =>
    t.dots.v2.account.get({ options: [new RetryHandlerOptions({ maxRetries: 0 })] }).then(
      () => 200,
      (e: { responseStatusCode?: number }) => e.responseStatusCode ?? 'no answer',
    );
  const statuses = async (n: number) => {
    const out: (number | string)[] = [];
    for (let i = 0; i < n; i++) out.push(await account());
    return out;
  };
  const createWidget = (name: string) =>
    t.fetch(`${t.emu.apiUrl}/v2/probe/widgets`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t.emu.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name }),
    });
  const widgets = async () => ((await t.admin('GET', '/_emulator/state')) as { widgets: string[] }).widgets;
  const lastLogged = async () => (await t.requests()).at(-1) as { status: number; fault?: string };

  it('error: answers the status in DigitalOcean shape without touching state', async () => {
    const rule = await addFault({ method: 'POST', path: '/v2/probe/widgets', mode: 'error', status: 500 });
    const response = await createWidget('a');
    expect(response.status).toBe(500);
    expect(await response.json()).toMatchObject({ id: 'server_error', request_id: expect.any(String) });
    expect(await widgets()).toEqual([]);
    expect(await lastLogged()).toMatchObject({ status: 500, fault: rule.id });
  });

  it('error: reaches dots as the injected status, with a custom body when given', async () => {
    await addFault({
      path: '/v2/account',
      mode: 'error',
      status: 422,
      body: { id: 'unprocessable_entity', message: 'nope' },
      count: 1,
    });
    const failure = await t.dots.v2.account.get().catch((e: unknown) => e);
    expect(failure).toMatchObject({
      responseStatusCode: 422,
      id: 'unprocessable_entity',
      messageEscaped: 'nope',
    });
    await addFault({ path: '/v2/account', mode: 'error', status: 429, count: 1 });
    const limited = await t.fetch(`${t.emu.apiUrl}/v2/account`, {
      headers: { authorization: `Bearer ${t.emu.token}` },
    });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('1');
    expect(await limited.json()).toMatchObject({ id: 'too_many_requests' });
  });

  it('commit-then-error: the change happens, the client sees an error', async () => {
    await addFault({
      method: 'POST',
      path: '/v2/probe/widgets',
      mode: 'commit-then-error',
      status: 503,
      count: 1,
    });
    expect((await createWidget('a')).status).toBe(503);
    expect(await widgets()).toEqual(['a']);
  });

  it('drop: the connection closes without an answer and state is untouched', async () => {
    const rule = await addFault({ method: 'POST', path: '/v2/probe/widgets', mode: 'drop', count: 1 });
    await expect(createWidget('a')).rejects.toThrow();
    expect(await widgets()).toEqual([]);
    expect(await lastLogged()).toMatchObject({ status: 0, fault: `${rule.id} (dropped)` });
    expect((await createWidget('b')).status).toBe(201);
    await addFault({ path: '/v2/account', mode: 'drop', count: 1 });
    expect(await account()).toBe('no answer');
  });

  it('commit-then-drop: the change happens but the answer never arrives', async () => {
    await addFault({ method: 'POST', path: '/v2/probe/widgets', mode: 'commit-then-drop', count: 1 });
    await expect(createWidget('a')).rejects.toThrow();
    expect(await widgets()).toEqual(['a']);
    expect(await account()).toBe(200);
  });

  it('latency: adds virtual time before the answer', async () => {
    // 40 virtual seconds at the tests' time scale of 200 are 200 real milliseconds.
    await addFault({ path: '/v2/account', mode: 'latency', latency_ms: 40_000, count: 1 });
    const slow = performance.now();
    expect(await account()).toBe(200);
    const slowMs = performance.now() - slow;
    const fast = performance.now();
    expect(await account()).toBe(200);
    expect(slowMs).toBeGreaterThanOrEqual(190);
    expect(performance.now() - fast).toBeLessThan(150);
  });

  it('count: applies that many times, then lets requests through', async () => {
    await addFault({ path: '/v2/account', mode: 'error', status: 500, count: 2 });
    expect(await statuses(4)).toEqual([500, 500, 200, 200]);
    const [rule] = ((await t.admin('GET', '/_emulator/faults')) as { faults: Rule[] }).faults;
    expect(rule).toMatchObject({ count: 0, hits: 2 });
  });

  it('probability: 0 never applies, 1 always does', async () => {
    const never = await addFault({ path: '/v2/account', mode: 'error', status: 500, probability: 0 });
    expect(await statuses(3)).toEqual([200, 200, 200]);
    await t.admin('DELETE', `/_emulator/faults/${never.id}`);
    await addFault({ path: '/v2/account', mode: 'error', status: 502, probability: 1 });
    expect(await statuses(3)).toEqual([502, 502, 502]);
  });

  it('seed: a rule with a seed draws the same way every time, so a run repeats exactly', async () => {
    const run = async (seed: number) => {
      await t.admin('DELETE', '/_emulator/faults');
      await addFault({ path: '/v2/account', mode: 'error', status: 503, probability: 0.5, seed });
      return statuses(12);
    };
    const first = await run(7);
    expect(first).toContain(503);
    expect(first).toContain(200);
    expect(await run(7)).toEqual(first);
    expect(await run(8)).not.toEqual(first);
    await expect(addFault({ path: '/v2/account', mode: 'error', seed: 1.5 })).rejects.toThrow(/seed/);
  });

  it('skip: lets the first matches through before applying', async () => {
    await addFault({ path: '/v2/account', mode: 'error', status: 500, skip: 2, count: 1 });
    expect(await statuses(4)).toEqual([200, 200, 500, 200]);
  });

  it('matches by method and by path pattern (* within a segment, ** across)', async () => {
    await addFault({ method: 'POST', path: '/v2/*', mode: 'error', status: 500 });
    expect(await account()).toBe(200);
    expect((await createWidget('a')).status).toBe(201);
    await t.admin('DELETE', '/_emulator/faults');
    await addFault({ method: 'POST', path: '/v2/**', mode: 'error', status: 500 });
    expect((await createWidget('b')).status).toBe(500);
  });

  it('never applies to the admin API', async () => {
    await addFault({ path: '/**', mode: 'error', status: 500 });
    expect(await account()).toBe(500);
    expect(await t.admin('GET', '/_emulator/clock')).toHaveProperty('time_scale');
  });

  it('lists, deletes and clears rules, build rules included', async () => {
    const http = await addFault({ path: '/v2/account', mode: 'error', status: 500 });
    const build = await addFault({
      kind: 'build',
      image: 'registry.digitalocean.com/base2/*',
      message: 'exit 1',
    });
    const listed = ((await t.admin('GET', '/_emulator/faults')) as { faults: Rule[] }).faults;
    expect(listed).toEqual([
      expect.objectContaining({ id: http.id, kind: 'http', hits: 0 }),
      expect.objectContaining({
        id: build.id,
        kind: 'build',
        phase: 'build',
        image: 'registry.digitalocean.com/base2/*',
      }),
    ]);
    await t.admin('DELETE', `/_emulator/faults/${http.id}`);
    expect(await account()).toBe(200);
    await expect(t.admin('DELETE', `/_emulator/faults/${http.id}`)).rejects.toThrow(/404/);
    await t.admin('DELETE', '/_emulator/faults');
    expect(await t.admin('GET', '/_emulator/faults')).toEqual({ faults: [] });
  });

  it('fails builds of matching images in the chosen phase, as many times as counted', async () => {
    await addFault({
      kind: 'build',
      image: 'registry.digitalocean.com/base2/api:*',
      phase: 'deploy',
      count: 1,
    });
    expect(t.emu.faults.matchBuild('registry.digitalocean.com/base2/web:1')).toBeUndefined();
    expect(t.emu.faults.matchBuild('registry.digitalocean.com/base2/api:1')).toMatchObject({
      phase: 'deploy',
    });
    expect(t.emu.faults.matchBuild('registry.digitalocean.com/base2/api:1')).toBeUndefined();
  });

  it('adds several rules at once and rejects invalid ones with the reason', async () => {
    const added = (await t.admin('POST', '/_emulator/faults', [
      { path: '/v2/account', mode: 'latency', latency_ms: 10 },
      { kind: 'build', image: 'nginx:*' },
    ])) as { faults: Rule[] };
    expect(added.faults.map((f) => f.kind)).toEqual(['http', 'build']);
    for (const invalid of [
      { path: 'v2/account', mode: 'error' },
      { path: '/v2/account', mode: 'explode' },
      { path: '/v2/account', mode: 'error', status: 200 },
      { path: '/v2/account', mode: 'latency' },
      { path: '/v2/account', mode: 'error', probability: 2 },
      { kind: 'build' },
    ]) {
      await expect(t.admin('POST', '/_emulator/faults', invalid), JSON.stringify(invalid)).rejects.toThrow(
        /400 .*Invalid fault rule/,
      );
    }
  });

  it('is cleared by reset', async () => {
    await addFault({ path: '/v2/account', mode: 'error', status: 500 });
    await t.admin('POST', '/_emulator/reset');
    expect(await account()).toBe(200);
  });
});
