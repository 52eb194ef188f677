import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { accountModule } from '../../emulator/resources/account.js';
import { functionsModule } from '../../emulator/resources/functions/index.js';
import { startTestEmulator, type TestEmulator } from '../support/emulator.js';
import { ConformanceTracker, loadSpec } from '../support/openapi.js';
import { createNamespace, OwClient } from './fixtures/functions/client.js';

const spec = loadSpec();
const statusOf = (e: unknown) => (e as { responseStatusCode?: number }).responseStatusCode;
const MINUTE = 60_000;

async function rejection(
  promise: Promise<unknown>,
): Promise<{ status: number | undefined; message: string }> {
  try {
    await promise;
  } catch (error) {
    // dots parses DigitalOcean's error body into `messageEscaped`.
    return {
      status: statusOf(error),
      message: String((error as { messageEscaped?: string }).messageEscaped ?? ''),
    };
  }
  throw new Error('expected the call to fail');
}

describe('Functions namespaces and triggers (DigitalOcean API)', () => {
  let t: TestEmulator;
  const tracker = spec.validator ? new ConformanceTracker(spec.validator) : undefined;
  const modules = [accountModule, functionsModule];

  beforeAll(async () => {
    t = await startTestEmulator({
      modules: tracker ? tracker.track(modules) : modules,
      onResponse: tracker?.record,
      // An account with the scheduled triggers preview; the one without is tested below.
      triggersPreview: true,
    });
  });
  afterAll(async () => {
    await t?.stop();
    // Every answer above, errors included, validates against the official spec.
    expect(tracker?.failures ?? []).toEqual([]);
  });
  beforeEach(async () => {
    await t.admin('POST', '/_emulator/reset');
  });

  describe('namespaces', () => {
    it('creates a namespace whose OpenWhisk API is the emulator', async () => {
      const created = (await t.dots.v2.functions.namespaces.post({ label: 'base2', region: 'fra1' }))
        ?.namespace;
      expect(created).toMatchObject({
        label: 'base2',
        region: 'fra1',
        apiHost: t.emu.apiUrl,
        namespace: `fn-${created?.uuid}`,
        key: expect.stringMatching(/^[a-z0-9]{64}$/),
        createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      });
      const got = await t.dots.v2.functions.namespaces.byNamespace_id(created!.namespace!).get();
      expect(got?.namespace).toMatchObject({ uuid: created?.uuid, key: created?.key });
      const list = await t.dots.v2.functions.namespaces.get();
      expect(list?.namespaces?.map((n) => n.label)).toEqual(['base2']);
    });

    it('keeps labels unique and regions to where Functions runs', async () => {
      await t.dots.v2.functions.namespaces.post({ label: 'base2', region: 'nyc1' });
      const duplicate = await rejection(
        t.dots.v2.functions.namespaces.post({ label: 'base2', region: 'ams3' }),
      );
      expect(duplicate).toMatchObject({ status: 422, message: expect.stringMatching(/already in use/) });
      const region = await rejection(t.dots.v2.functions.namespaces.post({ label: 'other', region: 'nyc3' }));
      expect(region.status).toBe(400);
      const label = await rejection(t.dots.v2.functions.namespaces.post({ region: 'nyc1' }));
      expect(label).toMatchObject({ status: 400, message: 'Invalid request payload: missing label field' });
    });

    it('limits an account to 10 namespaces', async () => {
      for (let i = 0; i < 10; i++)
        await t.dots.v2.functions.namespaces.post({ label: `ns-${i}`, region: 'nyc1' });
      const eleventh = await rejection(
        t.dots.v2.functions.namespaces.post({ label: 'ns-10', region: 'nyc1' }),
      );
      expect(eleventh).toMatchObject({ status: 422, message: 'namespace limit reached' });
    });

    it('deletes a namespace with everything in it, credentials included', async () => {
      const ns = await createNamespace(t, 'doomed');
      const ow = new OwClient(t, ns);
      await ow.deploy('hello', 'hello.js');
      await t.dots.v2.functions.namespaces.byNamespace_id(ns.id).delete();
      const gone = await rejection(t.dots.v2.functions.namespaces.byNamespace_id(ns.id).get());
      expect(gone).toMatchObject({ status: 404, message: 'namespace not found' });
      expect((await ow.request('GET', '/namespaces/_/actions')).status).toBe(401);
      expect((await rejection(t.dots.v2.functions.namespaces.byNamespace_id(ns.id).delete())).status).toBe(
        404,
      );
    });
  });

  describe('triggers', () => {
    let ns: Awaited<ReturnType<typeof createNamespace>>;
    let ow: OwClient;
    const triggers = () => t.dots.v2.functions.namespaces.byNamespace_id(ns.id).triggers;

    beforeEach(async () => {
      ns = await createNamespace(t, 'scheduled');
      ow = new OwClient(t, ns);
      await ow.request('PUT', '/namespaces/_/packages/jobs', {});
      await ow.deploy('jobs/hello', 'hello.js');
    });

    const createTrigger = (overrides: Record<string, unknown> = {}) =>
      triggers().post({
        name: 'every-minute',
        functionEscaped: 'jobs/hello',
        type: 'SCHEDULED',
        isEnabled: true,
        scheduledDetails: { cron: '* * * * *', body: { name: 'Cron' } },
        ...overrides,
      });

    it('creates, reads, updates and deletes a scheduled trigger', async () => {
      const created = (await createTrigger())?.trigger;
      expect(created).toMatchObject({
        namespace: ns.id,
        name: 'every-minute',
        functionEscaped: 'jobs/hello',
        type: 'SCHEDULED',
        isEnabled: true,
        scheduledDetails: { cron: '* * * * *', body: { name: 'Cron' } },
        scheduledRuns: { lastRunAt: undefined, nextRunAt: expect.stringMatching(/:00Z$/) },
      });
      expect((await triggers().get())?.triggers?.map((tr) => tr.name)).toEqual(['every-minute']);

      const paused = await triggers()
        .byTrigger_name('every-minute')
        .put({ isEnabled: false, scheduledDetails: { cron: '0 3 * * *' } });
      expect(paused?.trigger).toMatchObject({
        isEnabled: false,
        scheduledDetails: { cron: '0 3 * * *' },
        scheduledRuns: { nextRunAt: undefined },
      });

      await triggers().byTrigger_name('every-minute').delete();
      const gone = await rejection(triggers().byTrigger_name('every-minute').get());
      expect(gone).toMatchObject({ status: 404, message: 'trigger not found' });
    });

    it('refuses every triggers route with 403 on an account without the scheduled triggers preview', async () => {
      await createTrigger();
      await t.admin('POST', '/_emulator/functions/triggers-preview', { enabled: false });
      try {
        expect(await t.admin('GET', '/_emulator/functions/triggers-preview')).toEqual({ enabled: false });
        const refusals = await Promise.all([
          rejection(triggers().get()),
          rejection(createTrigger({ name: 'another' })),
          rejection(triggers().byTrigger_name('every-minute').get()),
          rejection(triggers().byTrigger_name('every-minute').put({ isEnabled: false })),
          rejection(triggers().byTrigger_name('every-minute').delete()),
        ]);
        for (const refusal of refusals) {
          expect(refusal).toEqual({
            status: 403,
            message: 'You are not authorized to perform this operation',
          });
        }
      } finally {
        await t.admin('POST', '/_emulator/functions/triggers-preview', { enabled: true });
      }
      expect((await triggers().get())?.triggers?.map((tr) => tr.name)).toEqual(['every-minute']);
    });

    it('validates triggers as DigitalOcean does', async () => {
      const empty = await rejection(triggers().post({}));
      expect(empty).toMatchObject({
        status: 400,
        message:
          'validating create trigger: validation error: missing trigger name, missing function name, missing source details',
      });
      expect((await rejection(createTrigger({ scheduledDetails: { cron: 'every minute' } }))).status).toBe(
        400,
      );
      expect((await rejection(createTrigger({ functionEscaped: 'jobs/missing' }))).status).toBe(400);
      await createTrigger();
      expect((await rejection(createTrigger())).status).toBe(409);
      await createTrigger({ name: 'two' });
      await createTrigger({ name: 'three' });
      const fourth = await rejection(createTrigger({ name: 'four' }));
      expect(fourth).toMatchObject({ status: 422, message: 'triggers limit reached' });
    });

    it('fires its function on schedule with the body as parameters', async () => {
      const created = (await createTrigger())?.trigger;
      const firstRun = Date.parse(created!.scheduledRuns!.nextRunAt!);
      await t.admin('POST', '/_emulator/clock', { advance_ms: MINUTE });

      const fired = await waitForActivations(ow, 1);
      expect(fired[0]).toMatchObject({ name: 'hello', response: { result: { greeting: 'Hello Cron!' } } });
      const after = (await triggers().byTrigger_name('every-minute').get())?.trigger?.scheduledRuns;
      expect(Date.parse(after!.lastRunAt!)).toBeGreaterThanOrEqual(firstRun);
      expect(Date.parse(after!.nextRunAt!)).toBeGreaterThan(Date.parse(after!.lastRunAt!));

      // At the test's time scale (200) a virtual minute passes in 0.3 s: it fires again unaided.
      await waitForActivations(ow, 2);
    });

    it('does not fire a paused trigger', async () => {
      await createTrigger({ isEnabled: false });
      await t.admin('POST', '/_emulator/clock', { advance_ms: 5 * MINUTE });
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect((await ow.request('GET', '/namespaces/_/activations')).body).toEqual([]);
    });
  });
});

/** Polls the activations list until it holds `count` entries, and returns them in full. */
async function waitForActivations(ow: OwClient, count: number): Promise<Record<string, unknown>[]> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const reply = await ow.request('GET', '/namespaces/_/activations?docs=true');
    const list = reply.body as Record<string, unknown>[];
    if (list.length >= count) return list;
    if (Date.now() > deadline) throw new Error(`expected ${count} activations, saw ${list.length}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
