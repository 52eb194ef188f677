/**
 * `npm run remote` against functions that can never answer in time: the emulator at a time scale
 * of 300 (DigitalOcean's 30 s web cut is 0.1 s of real time, too little for any deploy call on any
 * machine; at 50, 0.6 s, a deploy now answers `in_progress` often enough to progress), so every
 * call of deploy ends in its own time limit or gives up at it.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../lib/clock.js';
import { bootstrapPlane } from '../../scripts/control-plane/bootstrap-plane.js';
import { runRemoteCli } from '../../scripts/control-plane/remote-cli.js';
import { startTestEmulator, type TestEmulator } from '../support/emulator.js';
import { TEST_REGISTRY } from '../support/op-context.js';
import { type BuiltOnce, buildOnce, captureIo, envLines, planeSource, ROOT } from './support.js';

const TIME_SCALE = 300;

let t: TestEmulator;
let build: BuiltOnce;
let work: string;
let env: Record<string, string>;

beforeAll(async () => {
  [t, build] = await Promise.all([startTestEmulator({ timeScale: TIME_SCALE }), buildOnce()]);
  work = mkdtempSync(join(tmpdir(), 'base2-timeouts-'));
  const envFile = join(work, '.env');
  const source = planeSource(t);
  await bootstrapPlane({
    root: ROOT,
    source,
    envFile,
    clock: systemClock,
    random: Math.random,
    build: async () => build.built,
  });
  env = { ...source, ...envLines(readFileSync(envFile, 'utf8')) };
  await t.admin('POST', '/v2/registry', {
    name: TEST_REGISTRY,
    subscription_tier_slug: 'basic',
    region: 'nyc3',
  });
  await t.admin('POST', '/_emulator/registry/images', { repository: 'base2', tag: '1.0.0' });
}, 180_000);

afterAll(async () => {
  await Promise.all([t?.stop(), build?.remove()]);
  rmSync(work, { recursive: true, force: true });
});

describe('npm run remote when every call ends in its own time limit', () => {
  it('stops after three calls, saying the time scale is why and what to run instead', async () => {
    const run = captureIo(env, work);
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
