/**
 * Interruptions: the operation runs in a child process and is killed (SIGKILL) once it has made a
 * seeded random number of mutating calls; the emulator, owned by this process, lives on. What it left
 * must hold up as it is, and the same operation run again in-process (once the dead holder's lock
 * lease has run out) converges with nothing lost or duplicated.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LOCK_TTL_MS } from '../../lib/lock/index.js';
import { flags, spawnInvoke } from './child.js';
import { snapshot } from './end-state.js';
import type { MutatingEntry } from './entry.js';
import { type Harness, startHarness } from './harness.js';
import { between } from './seeded.js';
import { Tally } from './tally.js';

/** Slow enough that a kill lands mid-operation, fast enough that a whole run takes a few seconds. */
const CHILD_TIME_SCALE = 100;

/** Propose only validates a spec (App Platform changes nothing), so it is no kill point. */
const isMutating = (r: { method: string; path: string }) =>
  r.method !== 'GET' && r.method !== 'HEAD' && r.path !== '/v2/apps/propose';

type Counts = (request: { method: string; path: string }) => boolean;

const mutationsOf = async (h: Harness, counts: Counts = () => true) =>
  (await h.requests()).filter((r) => isMutating(r) && counts(r)).length;

/** Polls the emulator's request log until the child has made `count` mutating calls (or has gone). */
async function waitForMutations(
  h: Harness,
  exited: Promise<number | null>,
  count: number,
  counts?: Counts,
): Promise<void> {
  let gone = false;
  void exited.then(() => {
    gone = true;
  });
  while (!gone && (await mutationsOf(h, counts)) < count) await new Promise((r) => setTimeout(r, 5));
}

export function interruptionSuite(file: string, entries: readonly MutatingEntry[]): void {
  const tally = new Tally(file);
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ timeScale: CHILD_TIME_SCALE });
  });
  afterAll(async () => {
    await h?.stop();
    tally.publish();
  });

  for (const entry of entries) {
    describe(`${entry.name}, killed mid-way`, () => {
      for (const cut of entry.interruptions) {
        it(`${cut.label}: what is left holds, and the next run converges`, async () => {
          await tally.check('interruption', async () => {
            await h.reset();
            await entry.prepare(h, cut.from);
            const before = await snapshot(h.t, entry.slug);
            if (cut.rules) await h.faults(cut.rules);
            if (cut.timing) await h.account({ timing: cut.timing });
            await h.clearRequests();
            const input = cut.input ?? {};
            const child = spawnInvoke([...entry.cli, ...flags(input)], h.env());
            const point = between(h.random, ...cut.killAfterMutations);
            try {
              await waitForMutations(h, child.exited, point, cut.counts);
            } finally {
              // Whatever happened, the child started here ends here.
              child.process.kill('SIGKILL');
            }
            const code = await child.exited;
            const mutations = await mutationsOf(h);
            if (process.env.HARDENING_DEBUG) console.log(cut.label, { point, mutations });
            expect(code, `killed mid-way, not finished: ${child.output().slice(-1000)}`).toBeNull();

            await h.clearFaults();
            if (cut.timing) await h.account();
            await entry.holdsMidway(h, before, input);
            h.advance(DEFAULT_LOCK_TTL_MS);
            if (cut.recover) await cut.recover(h, input);
            else await entry.converges(h, { input });
          });
        });
      }
    });
  }
}
