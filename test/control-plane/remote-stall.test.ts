/**
 * `npm run remote` stops waiting when calls make no progress, against the real functions
 * (bootstrap's bundles, built from packages/ops) in the emulator: an info whose every call runs
 * into its time limit (DigitalOcean's API answering far too slowly), and a deploy that stays
 * `in_progress` with the same progress because the platform never finishes its work (droplets and
 * app deployments that take a day here).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runRemoteCli } from '../../scripts/control-plane/remote-cli.js';
import { startTestEmulator, type TestEmulator } from '../support/emulator.js';
import {
  type BootstrappedPlane,
  type BuiltOnce,
  bootstrappedPlane,
  buildOnce,
  captureIo,
} from './support.js';

/** 30 s of web time is 6 s here: room for a deploy's first call on a busy machine. */
const TIME_SCALE = 5;
const DAY_MS = 24 * 3600_000;
const pauses = { inProgressMs: 50, notReadyMs: 200 };

let t: TestEmulator;
let build: BuiltOnce;
let plane: BootstrappedPlane;

beforeAll(async () => {
  [t, build] = await Promise.all([
    startTestEmulator({
      timeScale: TIME_SCALE,
      timing: { dropletBootMs: DAY_MS, appBuildMs: DAY_MS, appDeployMs: DAY_MS },
    }),
    buildOnce(),
  ]);
  plane = await bootstrappedPlane(t, build, 'base2-stall-');
}, 180_000);

afterAll(async () => {
  await Promise.all([t?.stop(), build?.remove()]);
  plane?.remove();
});

describe('npm run remote when calls make no progress', () => {
  it('stops when calls end in the function running out of time (or the operation giving up at its limit), saying why and what to do', async () => {
    // Every DigitalOcean request takes a minute: no call of info can answer within its 30 s.
    await t.admin('POST', '/_emulator/faults', { path: '/v2/**', mode: 'latency', latency_ms: 60_000 });
    try {
      const run = captureIo(plane.env, plane.work);
      const started = Date.now();
      // Three calls in a row, over any time at all (DigitalOcean's 90 s would be 18 s here).
      const code = await runRemoteCli(['info', '--timeout', '10m'], run, {
        pauses,
        stall: { unansweredMs: 0 },
      });
      expect(code).toBe(1);
      expect(Date.now() - started).toBeLessThan(90_000);
      // Either the platform cut three calls in a row (a cold start on a loaded machine eats the
      // first call's time), or the operation itself gave up at its own limit on the hung request
      // and answered so, naming the call: either way remote stops and says why.
      const said = run.err();
      const stalled =
        /Stopped waiting: the info function gave no answer on 3 calls in a row; the last: the function (ran out of time before answering|is still running past the web call's limit) \(activation [0-9a-f]{32}\)\. Each call ran into its time limit before the operation answered, so calling again will not finish it\. Look at where it waits \(`doctl serverless activations logs [0-9a-f]{32}` shows what it did\), or run it locally with `npm run invoke -- info`\./;
      const gaveUp =
        /error: Gave up waiting for DigitalOcean to .+: GET \/v2\/\S+ had no complete answer before the operation's time limit ran out\./;
      expect(stalled.test(said) || gaveUp.test(said), said).toBe(true);
      expect((said.match(/… info: still running/g) ?? []).length).toBeLessThanOrEqual(2);
    } finally {
      await t.admin('DELETE', '/_emulator/faults');
    }
  }, 120_000);

  it('stops when in_progress answers keep reporting the same progress, with what was last reported', async () => {
    const run = captureIo(plane.env, plane.work);
    const code = await runRemoteCli(['deploy', '--image-tag', '1.0.0', '--timeout', '10m'], run, {
      pauses,
      stall: { unchangedCalls: 3, unchangedMs: 5_000 },
    });
    expect(code, run.err()).toBe(1);
    expect(run.err()).toMatch(
      /Stopped waiting: the deploy operation answered in_progress \d+ times over \d+ s without its progress changing; it last reported: waiting for DigitalOcean: .*droplet: 0 of 2 droplets active\. DigitalOcean seems stuck on that: check it with `npm run remote -- status` or in the control panel, then run the same command again with --resume [0-9a-f]+ to continue from where it is\./,
    );
    expect(run.out()).toMatch(/deploy base2-staging: still in progress/);

    // Continued under the lock it kept, as the message says; --json prints the last report.
    const token = /--resume ([0-9a-f]+)/.exec(run.err())![1]!;
    const json = captureIo(plane.env, plane.work);
    const again = ['deploy', '--image-tag', '1.0.0', '--resume', token, '--json'];
    expect(
      await runRemoteCli(again, json, { pauses, stall: { unchangedCalls: 2, unchangedMs: 1_000 } }),
    ).toBe(1);
    expect(JSON.parse(json.out())).toMatchObject({ op: 'deploy', status: 'in_progress' });
    expect(json.err()).toMatch(/Stopped waiting: the deploy operation answered in_progress 2 times/);
  }, 180_000);
});
