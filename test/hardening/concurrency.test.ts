/**
 * Concurrency: operations on one deployment never interleave (the deployment lock), and different
 * deployments of one manifest run side by side. Every case asserts the end state.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AuditRecord } from '../../lib/log/audit.js';
import { deployOperation } from '../../lib/ops/deploy/index.js';
import { operations } from '../../lib/ops/index.js';
import { teardownOperation } from '../../lib/ops/teardown/index.js';
import { expectNoDuplicates, generationsOf, isServing, liveImage, snapshot } from './end-state.js';
import { statusOf } from './entry.js';
import { type Attempt, explain, type Harness, reportOf, startHarness } from './harness.js';
import { Tally } from './tally.js';

const tally = new Tally(import.meta.filename);
let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});
beforeEach(async () => {
  await h.reset();
});
afterAll(async () => {
  await h?.stop();
  tally.publish();
});

/** The span of an operation's own changes (lock bookkeeping left out), in clock milliseconds. */
function span(attempt: Attempt): [number, number] | undefined {
  const changes = (attempt.report?.audit ?? []).filter((r: AuditRecord) => !r.resource.startsWith('lock '));
  if (changes.length === 0) return undefined;
  const times = changes.map((r) => Date.parse(r.time));
  return [Math.min(...times), Math.max(...times)];
}

/** No two runs changed anything during the same stretch of time. */
function expectNoInterleaving(attempts: readonly Attempt[]): void {
  const spans = attempts.map(span).filter((s): s is [number, number] => s !== undefined);
  spans.sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < spans.length; i++) {
    expect(spans[i]![0], 'a run changed things while another held the deployment').toBeGreaterThan(
      spans[i - 1]![1],
    );
  }
}

async function expectLiveAt(
  slug: string,
  tags: readonly string[],
  counts: readonly number[] = [2],
): Promise<string> {
  const s = await snapshot(h.t, slug);
  expectNoDuplicates(s);
  expect(s.lockKeys, 'lock left behind').toEqual([]);
  const live = (await liveImage(h.t, s)) ?? '';
  const tag = tags.find((candidate) => live.endsWith(`base2:${candidate}`));
  expect(tag, `live image ${live}`).toBeDefined();
  if (s.owned.length > 0) {
    expect(counts).toContain(s.owned.filter(isServing).length);
    expect(s.owned.length).toBe(s.owned.filter(isServing).length);
    expect(generationsOf(s)).toHaveLength(1);
  }
  return tag!;
}

describe('one deployment, several operations at once', () => {
  it('three deploys of different versions take turns, and exactly one version ends up live, once', async () => {
    const tags = ['latest', '1.4.2', '1.5.0'];
    const runs = await tally.check('concurrency', () =>
      Promise.all(tags.map((tag) => h.run(deployOperation, { env: 'staging', image_tag: tag }))),
    );
    for (const run of runs) expect(statusOf(run), explain(run)).toMatch(/^(succeeded|noop)$/);
    expectNoInterleaving(runs);
    const live = await expectLiveAt('base2-staging', tags);
    // The run that went last decides: a plain re-deploy of its version changes nothing.
    const quiet = await h.run(deployOperation, { env: 'staging', image_tag: live });
    expect(statusOf(quiet), explain(quiet)).toBe('noop');
    expect(reportOf(quiet).api_calls.mutating).toBe(0);
  });

  it('a deploy and a teardown at once: one runs after the other, and the end state is one of theirs', async () => {
    const first = await h.run(deployOperation, { env: 'staging' });
    expect(statusOf(first), explain(first)).toBe('succeeded');
    const runs = await tally.check('concurrency', () =>
      Promise.all([
        h.run(deployOperation, { env: 'staging', image_tag: '1.4.2' }),
        h.run(teardownOperation, { env: 'staging' }),
      ]),
    );
    for (const run of runs) expect(statusOf(run), explain(run)).toMatch(/^(succeeded|noop)$/);
    expectNoInterleaving(runs);
    const s = await snapshot(h.t, 'base2-staging');
    expectNoDuplicates(s);
    expect(s.lockKeys).toEqual([]);
    const tornDown = s.owned.length === 0 && s.apps.length === 0 && s.firewalls.length === 0;
    if (!tornDown) await expectLiveAt('base2-staging', ['1.4.2']);
  });

  it('an edit and a deploy at once: one after the other, each complete, nothing duplicated', async () => {
    const first = await h.run(deployOperation, { env: 'staging' });
    expect(statusOf(first), explain(first)).toBe('succeeded');
    const runs = await tally.check('concurrency', () =>
      Promise.all([
        h.run(operations.edit, { env: 'staging', droplet_count: 3 }),
        h.run(deployOperation, { env: 'staging', image_tag: '1.4.2' }),
      ]),
    );
    for (const run of runs) expect(statusOf(run), explain(run)).toMatch(/^(succeeded|noop)$/);
    expectNoInterleaving(runs);
    await expectLiveAt('base2-staging', ['1.4.2'], [2, 3]);
  });

  it('two teardowns at once remove everything once and leave no lock', async () => {
    await h.run(deployOperation, { env: 'staging' });
    const runs = await tally.check('concurrency', () =>
      Promise.all([
        h.run(teardownOperation, { env: 'staging' }),
        h.run(teardownOperation, { env: 'staging' }),
      ]),
    );
    for (const run of runs) expect(statusOf(run), explain(run)).toMatch(/^(succeeded|noop)$/);
    const s = await snapshot(h.t, 'base2-staging');
    expect([s.owned, s.apps, s.firewalls, s.sshKeys, s.lockKeys]).toEqual([[], [], [], [], []]);
  });
});

describe('different deployments side by side', () => {
  it('apponly and droponly deploy and tear down in parallel without touching each other', async () => {
    const deploys = await tally.check('concurrency', () =>
      Promise.all([h.run(deployOperation, { env: 'apponly' }), h.run(deployOperation, { env: 'droponly' })]),
    );
    for (const run of deploys) expect(statusOf(run), explain(run)).toBe('succeeded');
    const app = await snapshot(h.t, 'base2-apponly');
    const drop = await snapshot(h.t, 'base2-droponly');
    expect(await liveImage(h.t, app)).toContain('base2:latest');
    expect(app.owned).toEqual([]);
    expect(drop.apps).toEqual([]);
    expect(drop.owned.filter(isServing)).toHaveLength(2);
    expect(
      drop.records
        .filter((r) => r.type === 'A')
        .map((r) => r.data)
        .sort(),
    ).toEqual(drop.owned.map((d) => d.ip).sort());

    const teardowns = await tally.check('concurrency', () =>
      Promise.all([
        h.run(teardownOperation, { env: 'apponly' }),
        h.run(teardownOperation, { env: 'droponly' }),
      ]),
    );
    for (const run of teardowns) expect(statusOf(run), explain(run)).toBe('succeeded');
    for (const slug of ['base2-apponly', 'base2-droponly']) {
      const s = await snapshot(h.t, slug);
      expect([s.owned, s.apps, s.firewalls, s.sshKeys, s.lockKeys], slug).toEqual([[], [], [], [], []]);
    }
  });
});
