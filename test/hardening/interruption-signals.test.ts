/**
 * Interruptions a person makes: Ctrl-C, SIGTERM (a CI job cancelled) and a closed pipe
 * (`npm run invoke -- deploy … 2>&1 | head -1`) while the real CLI deploys. The CLI stops starting
 * changes, gives the deployment lock back, says what it did and what to run next, and exits 130,
 * 143 or quietly non-zero; the next deploy then starts at once and converges.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { constants } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LOCK_TTL_MS } from '../../lib/lock/index.js';
import { deployOperation } from '../../lib/ops/deploy/index.js';
import { ROOT } from '../support/op-context.js';
import { deployEntry } from './deploy-entry.js';
import { expectNoDuplicates, snapshot } from './end-state.js';
import { statusOf } from './entry.js';
import { explain, type Harness, startHarness } from './harness.js';
import { between } from './seeded.js';
import { Tally } from './tally.js';

/** Slow enough that a signal lands mid-deploy (as in interruption-suite.ts). */
const CHILD_TIME_SCALE = 100;
const SLUG = 'base2-staging';

interface Run {
  process: ChildProcess;
  exited: Promise<number | null>;
  stderr(): string;
  stdout(): string;
}

/**
 * `npm run invoke -- deploy --env staging` in its own process group, as a terminal runs it: a
 * Ctrl-C there reaches npm, its shell and the operation's node process alike. `viaNpm: false` runs
 * the script's command itself (`node --import tsx scripts/invoke.ts`), which starts faster.
 */
function spawnCli(args: readonly string[], env: Record<string, string>, viaNpm = false): Run {
  const [command, ...prefix] = viaNpm
    ? ['npm', 'run', '--silent', 'invoke', '--']
    : [process.execPath, '--import', 'tsx', 'scripts/invoke.ts'];
  const child = spawn(command!, [...prefix, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  // npm ends itself with the signal its script ended by: a shell shows that as 128 + its number.
  const exited = new Promise<number | null>((resolve) =>
    child.on('close', (code, signal) => resolve(code ?? (signal ? 128 + constants.signals[signal] : null))),
  );
  return { process: child, exited, stderr: () => stderr, stdout: () => stdout };
}

/** The signal to the whole process group, the way a terminal delivers Ctrl-C. */
function signalGroup(run: Run, signal: NodeJS.Signals): void {
  try {
    process.kill(-run.process.pid!, signal);
  } catch {
    // Already gone.
  }
}

const mutationsOf = async (h: Harness) =>
  (await h.requests()).filter((r) => r.method !== 'GET' && r.method !== 'HEAD').length;

async function waitForMutations(h: Harness, run: Run, count: number): Promise<void> {
  let gone = false;
  void run.exited.then(() => {
    gone = true;
  });
  while (!gone && (await mutationsOf(h)) < count) await new Promise((r) => setTimeout(r, 5));
  expect(gone, `the deploy ended before its ${count}th change: ${run.stderr().slice(-800)}`).toBe(false);
}

/** The lock is free (no key at all), and a deploy that will not wait for a lock converges. */
async function expectFreeAndConverging(h: Harness, input: Record<string, unknown>): Promise<void> {
  const after = await snapshot(h.t, SLUG);
  expectNoDuplicates(after);
  expect(after.lockKeys, 'the lock is released').toEqual([]);
  const next = await h.run(deployOperation, { env: 'staging', lock_wait: 0, ...input });
  expect(statusOf(next), `the next deploy runs at once: ${explain(next)}`).toMatch(/^(succeeded|noop)$/);
  await deployEntry.converges(h, { input });
}

describe('the CLI interrupted mid-deploy', () => {
  const tally = new Tally(import.meta.filename);
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ timeScale: CHILD_TIME_SCALE });
  });
  afterAll(async () => {
    await h?.stop();
    tally.publish();
  });

  it('Ctrl-C during a first deploy: exit 130, says what it did and what to run, the lock is free', async () => {
    await tally.check('interruption', async () => {
      await h.reset();
      await h.clearRequests();
      const run = spawnCli(['deploy', '--env', 'staging'], h.env(), true);
      try {
        await waitForMutations(h, run, between(h.random, 2, 5));
        signalGroup(run, 'SIGINT');
        expect(await run.exited, run.stderr().slice(-1500)).toBe(130);
      } finally {
        signalGroup(run, 'SIGKILL');
      }
      const said = run.stderr();
      if (process.env.HARDENING_DEBUG) console.log(said);
      expect(said).toContain('Interrupted (Ctrl-C)');
      expect(said).toContain('deploy base2-staging was interrupted (Ctrl-C) before it finished.');
      expect(said).toMatch(/Changed: (create|nothing)/);
      expect(said).toContain('The deployment lock is released');
      expect(said).toContain('Next: run `npm run invoke -- deploy --env staging`');
      expect(said, 'one Ctrl-C, relayed by npm, is not a second one').not.toContain('Exiting at once');
      await expectFreeAndConverging(h, {});
    });
  });

  it('SIGTERM during an upgrade: exit 143, the old version keeps serving, the lock is free', async () => {
    await tally.check('interruption', async () => {
      await h.reset();
      await deployEntry.prepare(h, 'deployed');
      const before = await snapshot(h.t, SLUG);
      await h.clearRequests();
      const input = { image_tag: '1.4.2' };
      const run = spawnCli(['deploy', '--env', 'staging', '--image-tag', '1.4.2', '--json'], h.env());
      try {
        await waitForMutations(h, run, between(h.random, 2, 4));
        signalGroup(run, 'SIGTERM');
        expect(await run.exited, run.stderr().slice(-1500)).toBe(143);
      } finally {
        signalGroup(run, 'SIGKILL');
      }
      expect(run.stderr()).toContain('deploy base2-staging was terminated (SIGTERM) before it finished.');
      // --json still gives its one document: the report of what it did.
      expect(JSON.parse(run.stdout())).toHaveProperty('op', 'deploy');
      await deployEntry.holdsMidway(h, before, input);
      await expectFreeAndConverging(h, input);
    });
  });

  it('a closed pipe (… 2>&1 | head -1): it stops, gives the lock back and exits non-zero', async () => {
    await tally.check('interruption', async () => {
      await h.reset();
      await h.clearRequests();
      const run = spawnCli(['deploy', '--env', 'staging', '--json'], h.env());
      try {
        await waitForMutations(h, run, 1);
        // The reader goes away: the CLI's next line of output meets a broken pipe.
        run.process.stdout?.destroy();
        run.process.stderr?.destroy();
        const code = await run.exited;
        expect(code).not.toBe(0);
        expect(code).not.toBeNull();
      } finally {
        signalGroup(run, 'SIGKILL');
      }
      await expectFreeAndConverging(h, {});
    });
  });

  it('a second Ctrl-C exits at once, and says which lock it leaves held', async () => {
    await tally.check('interruption', async () => {
      await h.reset();
      await h.clearRequests();
      // Giving the lock back takes long: a second Ctrl-C comes first.
      await h.faults([
        { method: 'DELETE', path: '/v2/account/keys/**', mode: 'latency', latency_ms: 30_000 * 100 },
      ]);
      const run = spawnCli(['deploy', '--env', 'staging'], h.env());
      try {
        await waitForMutations(h, run, 2);
        signalGroup(run, 'SIGINT');
        await new Promise((r) => setTimeout(r, 1_500));
        const sent = Date.now();
        signalGroup(run, 'SIGINT');
        expect(await run.exited, run.stderr().slice(-1500)).toBe(130);
        expect(Date.now() - sent, 'exits at once').toBeLessThan(10_000);
      } finally {
        signalGroup(run, 'SIGKILL');
      }
      expect(run.stderr()).toContain('Exiting at once (SIGINT)');
      expect(run.stderr()).toMatch(
        /The lock of base2-staging was not confirmed released \(deploy [0-9a-f]{8} since/,
      );
      await h.clearFaults();
      h.advance(DEFAULT_LOCK_TTL_MS);
      await deployEntry.converges(h, {});
    });
  });
});
