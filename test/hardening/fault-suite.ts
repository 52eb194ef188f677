/**
 * The fault cases of one group of one operation, as tests: reset, bring the world to the case's
 * starting point, inject the faults, run, then assert the end state and that a re-run converges.
 * A file calls this once per group, so each operation's faults are data in the operations table.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resumeOf, snapshot } from './end-state.js';
import { type MutatingEntry, statusOf } from './entry.js';
import { explain, type Harness, startHarness } from './harness.js';
import { Tally } from './tally.js';

export function faultSuite(file: string, groups: readonly [MutatingEntry, string][]): void {
  const tally = new Tally(file);
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.stop();
    tally.publish();
  });

  for (const [entry, group] of groups) {
    const cases = entry.faults.filter((c) => c.group === group);
    describe(`${entry.name} under faults (${group})`, () => {
      it('has cases in this group', () => {
        expect(cases.length).toBeGreaterThan(0);
      });
      for (const fault of cases) {
        it(`${fault.label}: nothing duplicated or orphaned, and a re-run converges`, async () => {
          await tally.check('fault', async () => {
            await h.reset();
            await entry.prepare(h, fault.from);
            const before = await snapshot(h.t, entry.slug);
            await h.faults(fault.rules);
            const paced = fault.timing !== undefined || fault.dropletLimit !== undefined;
            if (paced) await h.account({ timing: fault.timing, dropletLimit: fault.dropletLimit });
            const attempt = await entry.run(h, fault.input ?? {}, {
              ...(fault.env ? { env: fault.env } : {}),
              ...(fault.timeoutMs === undefined ? {} : { timeoutMs: fault.timeoutMs }),
            });
            await h.clearFaults();
            if (paced) await h.account();
            if (process.env.HARDENING_DEBUG) console.log(fault.label, '=>', explain(attempt));
            if (fault.expect) expect(fault.expect, explain(attempt)).toContain(statusOf(attempt));
            await entry.holds(h, before, attempt, fault);
            await entry.converges(h, fault, resumeOf(attempt));
          });
        });
      }
    });
  }
}
