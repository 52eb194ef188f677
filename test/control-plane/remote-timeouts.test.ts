/**
 * `npm run remote` against functions that can never answer in time: the emulator at a time scale
 * of 300 (DigitalOcean's 30 s web cut is 0.1 s of real time, too little for any deploy call on any
 * machine; at 50, 0.6 s, a deploy now answers `in_progress` often enough to progress), so every
 * call of deploy ends in its own time limit or gives up at it.
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

const TIME_SCALE = 300;

let t: TestEmulator;
let build: BuiltOnce;
let plane: BootstrappedPlane;

beforeAll(async () => {
  [t, build] = await Promise.all([startTestEmulator({ timeScale: TIME_SCALE }), buildOnce()]);
  plane = await bootstrappedPlane(t, build, 'base2-timeouts-');
}, 180_000);

afterAll(async () => {
  await Promise.all([t?.stop(), build?.remove()]);
  plane?.remove();
});

describe('npm run remote when every call ends in its own time limit', () => {
  it('stops after three calls, saying the time scale is why and what to run instead', async () => {
    const run = captureIo(plane.env, plane.work);
    const started = Date.now();
    // The default pauses and limits, as a person runs it: no test shortcut.
    const code = await runRemoteCli(['deploy', '--image-tag', '1.0.0', '--timeout', '15m'], run, {});
    expect(code, run.err()).toBe(1);
    // Three calls, two 10 s pauses between them: not 90 s of waiting for a busy machine, nor 15 minutes.
    expect(Date.now() - started).toBeLessThan(60_000);
    // Either every call is cut by the platform, or the operation gives up at its own (scaled) time
    // limit first and answers so: both say the time scale is why, and what to run instead.
    const said = run.err();
    const cut =
      /Stopped waiting: the deploy function gave no answer on 3 calls in a row, each cut after \d+\.\d s at most where DigitalOcean gives a web call 30 s; the last: .*\. The platform's clock runs about \d+ times faster than real time \(an emulator's --time-scale\), so every call runs into its time limit and calling again will not finish it\. Restart the emulator with --time-scale 10 or less for npm run remote, or run the operation locally with `npm run invoke -- deploy`\./;
    const gaveUp =
      /time limit ran out[\s\S]*The call took \d+\.\d s where DigitalOcean gives a web call 30 s: the platform's clock runs faster than real time \(an emulator's --time-scale\)[\s\S]*Restart the emulator with --time-scale 10 or less for npm run remote, or run the operation locally with `npm run invoke -- deploy`\./;
    expect(cut.test(said) || gaveUp.test(said), said).toBe(true);
  }, 400_000);
});
