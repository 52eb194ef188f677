/**
 * The emulator's one deliberate difference (emulator/openwhisk/invoker.ts): an activation someone
 * waits for gets a context deadline no later than the synchronous cut scaled by the clock, so a
 * function that honours its context answers before the emulator turns the call into a 202.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountModule } from '../../emulator/resources/account.js';
import { functionsModule } from '../../emulator/resources/functions/index.js';
import { systemClock } from '../../lib/clock.js';
import { createHttps } from '../../lib/do/index.js';
import { flattenNamespace, type NamespaceInfo } from '../../scripts/control-plane/namespace.js';
import { OpenWhisk } from '../../scripts/control-plane/openwhisk.js';
import { startTestEmulator, type TestEmulator } from '../support/emulator.js';

const TIME_SCALE = 50;
/** DigitalOcean's 30 s, in real milliseconds at this scale. */
const CUT_MS = 30_000 / TIME_SCALE;

/** Reports the time its context gives it, after working until just before that time when asked. */
const REPORTER = `exports.main = async function main(params, context) {
  const first = context.getRemainingTimeInMillis();
  if (params.use_it) {
    while (context.getRemainingTimeInMillis() > 50) await new Promise((r) => setTimeout(r, 10));
  }
  const report = { first, deadline: context.deadline, env_deadline: Number(process.env.__OW_DEADLINE) };
  // Web calls get the calling convention's response; invocations read the same object.
  return { statusCode: 200, body: report, ...report };
};`;

let t: TestEmulator;
let ns: NamespaceInfo;
let https: ReturnType<typeof createHttps>;

beforeAll(async () => {
  t = await startTestEmulator({ modules: [accountModule, functionsModule], timeScale: TIME_SCALE });
  ns = flattenNamespace(
    (await t.dots.v2.functions.namespaces.post({ label: 'deadline', region: 'nyc1' }))?.namespace,
  )!;
  https = createHttps({ clock: systemClock, random: Math.random, caPem: t.emu.caPem });
  const ow = new OpenWhisk(ns, https);
  await ow.putPackage('ops', { parameters: [], annotations: [], publish: false });
  await ow.putAction('ops', 'reporter', {
    exec: { kind: 'nodejs:22', code: REPORTER, binary: false },
    parameters: [],
    annotations: [{ key: 'web-export', value: true }],
    limits: { timeout: 60_000 },
  });
});

afterAll(async () => {
  await https?.close();
  await t?.stop();
});

const auth = () => ({ authorization: `Basic ${Buffer.from(`${ns.uuid}:${ns.key}`).toString('base64')}` });

async function invoke(query: string, body: object = {}) {
  const response = await t.fetch(`${ns.apiHost}/api/v1/namespaces/_/actions/ops/reporter?${query}`, {
    method: 'POST',
    headers: { ...auth(), 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('context deadlines in the emulator', () => {
  it('gives a web request no more than the scaled 30 s cut', async () => {
    const response = await t.fetch(`${ns.apiHost}/api/v1/web/${ns.namespace}/ops/reporter`);
    const body = (await response.json()) as { first: number; deadline: number; env_deadline: number };
    expect(response.status).toBe(200);
    expect(body.first).toBeGreaterThan(0);
    expect(body.first).toBeLessThanOrEqual(CUT_MS);
    expect(body.env_deadline).toBe(body.deadline);
  });

  it('gives a blocking invocation the cut, or the shorter wait it asked for', async () => {
    const plain = await invoke('blocking=true&result=true');
    expect(plain.body.first).toBeLessThanOrEqual(CUT_MS);
    const short = await invoke('blocking=true&result=true&timeout=5000');
    expect(short.body.first).toBeLessThanOrEqual(5_000 / TIME_SCALE);
  });

  it('keeps the full time limit for an activation nobody waits for', async () => {
    const started = await invoke('blocking=false');
    let result: { first?: number } | undefined;
    for (let i = 0; i < 100 && result === undefined; i++) {
      await systemClock.sleep(20);
      const response = await t.fetch(
        `${ns.apiHost}/api/v1/namespaces/_/activations/${started.body.activationId}`,
        {
          headers: auth(),
        },
      );
      if (response.status === 200)
        result = ((await response.json()) as { response: { result: { first: number } } }).response.result;
    }
    expect(result?.first).toBeGreaterThan(50_000);
  });

  it('lets a function that uses its whole context deadline still answer the web call', async () => {
    const response = await t.fetch(`${ns.apiHost}/api/v1/web/${ns.namespace}/ops/reporter`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ use_it: true }),
    });
    expect(response.status).toBe(200);
  });
});
