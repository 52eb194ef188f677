import type { createDigitalOceanClient } from '@digitalocean/dots';
import type { App_spec } from '@digitalocean/dots/src/dots/models/index.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { accountModule } from '../../emulator/resources/account.js';
import { appsModule } from '../../emulator/resources/apps/index.js';
import { startTestEmulator, type TestEmulator } from '../support/emulator.js';

type Dots = ReturnType<typeof createDigitalOceanClient>;

async function failure(call: Promise<unknown>): Promise<{ status: number; id?: string; message?: string }> {
  try {
    await call;
  } catch (error) {
    const e = error as { responseStatusCode?: number; id?: string; messageEscaped?: string };
    return { status: e.responseStatusCode ?? 0, id: e.id, message: e.messageEscaped };
  }
  throw new Error('expected the call to fail');
}

const spec = (name = 'base2-web', tag = 'v1'): App_spec => ({
  name,
  region: 'nyc',
  services: [
    {
      name: 'web',
      image: { registryType: 'DOCR', repository: 'base2', tag },
      httpPort: 8080,
      instanceCount: 1,
      instanceSizeSlug: 'apps-s-1vcpu-0.5gb',
      envs: [{ key: 'BASE2_ENV', value: 'production', scope: 'RUN_TIME', type: 'GENERAL' }],
    },
  ],
});

describe('App Platform apps', () => {
  let t: TestEmulator;
  let dots: Dots;

  beforeAll(async () => {
    t = await startTestEmulator({ modules: [accountModule, appsModule] });
    dots = t.dots;
  });
  afterAll(async () => {
    await t?.stop();
  });
  beforeEach(async () => {
    await t.admin('POST', '/_emulator/reset');
  });

  it('creates an app (200, not 201) with its first deployment pending, and reads it back', async () => {
    const created = (await dots.v2.apps.post({ spec: spec() }))!.app!;
    expect(created.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.spec?.name).toBe('base2-web');
    expect(created.pendingDeployment?.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.pendingDeployment?.phase).toBe('PENDING_BUILD');
    expect(created.region?.slug).toBe('nyc');
    // No default ingress until the first deployment goes live, as on DigitalOcean.
    expect(created.defaultIngress).toBeUndefined();

    const read = (await dots.v2.apps.byApp_Id(created.id!).get())!.app!;
    expect(read.id).toBe(created.id);
    expect(read.inProgressDeployment?.id).toBe(created.pendingDeployment?.id);
    expect(read.lastDeploymentCreatedAt).toBeInstanceOf(Date);
    const byName = (await dots.v2.apps.byApp_Id('ignored').get({ queryParameters: { name: 'base2-web' } }))!
      .app!;
    expect(byName.id).toBe(created.id);
  });

  it('lists apps with pagination and deletes with 200 and the id', async () => {
    for (const name of ['app-a', 'app-b', 'app-c']) await dots.v2.apps.post({ spec: spec(name) });
    const page = (await dots.v2.apps.get({ queryParameters: { perPage: 2 } }))!;
    expect(page.apps?.map((a) => a.spec?.name)).toEqual(['app-a', 'app-b']);
    expect(page.meta?.total).toBe(3);
    // dots does not read the `pages` union back, so the links are checked on the wire.
    const raw = await t.fetch(`${t.emu.apiUrl}/v2/apps?per_page=2`, {
      headers: { authorization: `Bearer ${t.emu.token}` },
    });
    const links = ((await raw.json()) as { links: { pages: { next?: string; last?: string } } }).links.pages;
    expect(links.next).toContain('page=2');
    const id = page.apps![0]!.id!;
    const deleted = await dots.v2.apps.byApp_Id(id).delete();
    expect(deleted?.id).toBe(id);
    expect((await failure(dots.v2.apps.byApp_Id(id).get())).status).toBe(404);
    expect((await failure(dots.v2.apps.byApp_Id(id).delete())).status).toBe(404);
    // The name is free again.
    expect((await dots.v2.apps.post({ spec: spec('app-a') }))?.app?.spec?.name).toBe('app-a');
  });

  it('includes project_id in lists only with with_projects', async () => {
    const raw = await t.fetch(`${t.emu.apiUrl}/v2/apps`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t.emu.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        spec: {
          name: 'projected',
          services: [{ name: 'web', image: { registry_type: 'DOCR', repository: 'base2' } }],
        },
        project_id: 'p-1',
      }),
    });
    expect(raw.status).toBe(200);
    expect((await dots.v2.apps.get())?.apps?.[0]?.projectId).toBeUndefined();
    expect((await dots.v2.apps.get({ queryParameters: { withProjects: true } }))?.apps?.[0]?.projectId).toBe(
      'p-1',
    );
  });

  it('refuses a second app with the same name with 409', async () => {
    await dots.v2.apps.post({ spec: spec() });
    const second = await failure(dots.v2.apps.post({ spec: spec() }));
    expect(second.status).toBe(409);
    expect(second.message).toContain('base2-web');
  });

  it('lets exactly one of five concurrent creates of one name win', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 5 }, () => dots.v2.apps.post({ spec: spec('race') })),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const losers = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(losers.map((r) => (r.reason as { responseStatusCode: number }).responseStatusCode)).toEqual([
      409, 409, 409, 409,
    ]);
    expect((await dots.v2.apps.get())?.meta?.total).toBe(1);
  });

  it('renaming onto a taken name is refused and keeps both apps as they were', async () => {
    await dots.v2.apps.post({ spec: spec('first') });
    const second = (await dots.v2.apps.post({ spec: spec('second') }))!.app!;
    expect((await failure(dots.v2.apps.byApp_Id(second.id!).put({ spec: spec('first') }))).status).toBe(409);
    const renamed = (await dots.v2.apps.byApp_Id(second.id!).put({ spec: spec('third') }))!.app!;
    expect(renamed.spec?.name).toBe('third');
    expect((await dots.v2.apps.post({ spec: spec('second') }))?.app?.spec?.name).toBe('second');
  });

  describe('propose', () => {
    it('validates a spec and answers availability, cost and the spec', async () => {
      const proposal = (await dots.v2.apps.propose.post({
        spec: {
          ...spec('proposed'),
          services: [{ ...spec().services![0]!, instanceCount: 2, instanceSizeSlug: 'apps-s-1vcpu-1gb' }],
        },
      }))!;
      expect(proposal.appNameAvailable).toBe(true);
      expect(proposal.appCost).toBe(24);
      expect(proposal.appIsStatic).toBe(false);
      expect(proposal.spec?.name).toBe('proposed');
    });

    it('reports a taken name with a suggestion, unless it is the app being updated', async () => {
      const app = (await dots.v2.apps.post({ spec: spec() }))!.app!;
      const taken = (await dots.v2.apps.propose.post({ spec: spec() }))!;
      expect(taken.appNameAvailable).toBe(false);
      expect(taken.appNameSuggestion).toBe('base2-web-2');
      const update = (await dots.v2.apps.propose.post({ spec: spec(), appId: app.id! }))!;
      expect(update.appNameAvailable).toBe(true);
    });

    it('rejects an invalid spec like create does', async () => {
      const error = await failure(dots.v2.apps.propose.post({ spec: { name: 'x1' } }));
      expect(error.status).toBe(400);
    });
  });

  it('lists App Platform regions and instance sizes', async () => {
    const regions = (await dots.v2.apps.regions.get())?.regions ?? [];
    expect(regions.map((r) => r.slug).sort()).toEqual([
      'ams',
      'atl',
      'blr',
      'fra',
      'lon',
      'nyc',
      'sfo',
      'sgp',
      'syd',
      'tor',
    ]);
    const sizes = (await dots.v2.apps.tiers.instance_sizes.get())?.instanceSizes ?? [];
    expect(sizes.find((s) => s.slug === 'apps-s-1vcpu-0.5gb')?.usdPerMonth).toBe('5.00');
    const one = await dots.v2.apps.tiers.instance_sizes.bySlug('apps-d-1vcpu-2gb').get();
    expect(one?.instanceSize?.cpuType).toBe('DEDICATED');
    expect((await failure(dots.v2.apps.tiers.instance_sizes.bySlug('nope').get())).status).toBe(404);
  });
});
