import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { EmulatorModule } from '../../emulator/core/types.js';
import { accountModule } from '../../emulator/resources/account.js';
import { type RegistryService, registryModule } from '../../emulator/resources/registry/index.js';
import { type DotsClient, startTestEmulator, type TestEmulator } from '../support/emulator.js';
import { ConformanceTracker, loadSpec } from '../support/openapi.js';

/** Garbage collection lasts long enough (20 s real at the test time scale) that tests step through it. */
const GC_MS = 4_000_000;
const PHASE_MS = GC_MS / 4;
const IMAGES = '/_emulator/registry/images';
/** A name nobody else holds (the default held names include base2). */
const NAME = 'acme-images';

/** Asks the `registry` service what the apps module would ask it. */
const serviceProbe: EmulatorModule = {
  name: 'registry-probe',
  register(core) {
    core.route('GET', '/v2/probe/registry/has', (req) => {
      const registry = core.services.get('registry') as RegistryService;
      const [repository, ref] = [req.query.get('repository') ?? '', req.query.get('ref') ?? ''];
      const body = {
        found: registry.hasImage(repository, ref),
        digest: registry.resolve(repository, ref) ?? null,
      };
      return { status: 200, body };
    });
  },
};

async function failure(call: Promise<unknown>): Promise<{ status: number; message: string | undefined }> {
  try {
    await call;
  } catch (error) {
    const e = error as { responseStatusCode?: number; messageEscaped?: string };
    return { status: e.responseStatusCode ?? 0, message: e.messageEscaped };
  }
  throw new Error('expected the call to fail');
}

const spec = loadSpec();

describe('container registry', () => {
  let t: TestEmulator;
  let dots: DotsClient;
  let conformance: ConformanceTracker | undefined;

  beforeAll(async () => {
    conformance = spec.validator ? new ConformanceTracker(spec.validator) : undefined;
    const modules = [accountModule, registryModule, serviceProbe];
    t = await startTestEmulator({
      modules: conformance ? conformance.track(modules) : modules,
      onResponse: conformance?.record,
      timing: { registryGcMs: GC_MS },
    });
    dots = t.dots;
  });
  afterAll(async () => {
    expect(conformance?.failures ?? []).toEqual([]);
    await t?.stop();
  });
  beforeEach(async () => {
    await t.admin('POST', '/_emulator/reset');
  });

  const registry = () => dots.v2.registry;
  const named = (name = NAME) => dots.v2.registry.byRegistry_name(name);
  const repo = (name: string) => named().repositories.byRepository_name(name);
  const create = (tier: 'starter' | 'basic' | 'professional' = 'basic') =>
    registry().post({ name: NAME, subscriptionTierSlug: tier, region: 'fra1' });
  const seed = async (repository: string, tag: string, extra: Record<string, unknown> = {}) =>
    ((await t.admin('POST', IMAGES, { repository, tag, ...extra })) as { image: { digest: string } }).image;
  const seedStatus = async (body: unknown) => {
    const headers = { authorization: `Bearer ${t.emu.token}`, 'content-type': 'application/json' };
    const init = { method: 'POST', headers, body: JSON.stringify(body) };
    return (await t.fetch(`${t.emu.apiUrl}${IMAGES}`, init)).status;
  };
  const advance = (ms: number) => t.admin('POST', '/_emulator/clock', { advance_ms: ms });

  it('answers 404 before a registry exists, then creates one per account', async () => {
    expect((await failure(registry().get())).status).toBe(404);
    await registry().validateName.post({ name: NAME });

    const created = (await create())?.registry;
    expect(created).toMatchObject({ name: NAME, region: 'fra1', storageUsageBytes: 0 });
    expect(created?.subscription?.tier).toMatchObject({
      slug: 'basic',
      includedRepositories: 5,
      monthlyPriceInCents: 500,
    });
    expect((await registry().get())?.registry?.name).toBe(NAME);

    expect(await failure(registry().post({ name: 'other', subscriptionTierSlug: 'basic' }))).toEqual({
      status: 422,
      message: 'user already has a registry',
    });
    expect(await failure(create())).toEqual({ status: 409, message: 'name already exists' });
    expect((await failure(registry().validateName.post({ name: NAME }))).status).toBe(409);
    expect((await failure(registry().validateName.post({ name: 'Not_Valid' }))).status).toBe(422);

    await registry().delete();
    expect((await failure(registry().get())).status).toBe(404);
    expect((await failure(registry().delete())).status).toBe(404);
  });

  it('refuses names another customer holds: validate-name answers 409 and so does a create', async () => {
    expect((await t.admin('GET', '/_emulator/registry/taken-names')) as { names: string[] }).toMatchObject({
      names: expect.arrayContaining(['base2', 'example']),
    });
    for (const name of ['base2', 'example']) {
      expect(await failure(registry().validateName.post({ name }))).toEqual({
        status: 409,
        message: 'name already exists',
      });
      expect(await failure(registry().post({ name, subscriptionTierSlug: 'basic' }))).toEqual({
        status: 409,
        message: 'name already exists',
      });
    }
    expect((await failure(registry().get())).status).toBe(404);
    // A name nobody holds is free, and once this account holds it, it is as taken as the others.
    await registry().validateName.post({ name: NAME });
    await create();
    expect((await failure(registry().validateName.post({ name: NAME }))).status).toBe(409);
  });

  it('keeps the held names as the admin routes set them, and a reset restores the start set', async () => {
    const names = async () =>
      ((await t.admin('GET', '/_emulator/registry/taken-names')) as { names: string[] }).names;
    await t.admin('PUT', '/_emulator/registry/taken-names', { names: [] });
    expect(await names()).toEqual([]);
    await registry().validateName.post({ name: 'base2' });
    await t.admin('POST', '/_emulator/registry/taken-names', { names: [NAME] });
    expect((await failure(create())).status).toBe(409);
    await t.admin('DELETE', `/_emulator/registry/taken-names/${NAME}`);
    await expect(t.admin('DELETE', `/_emulator/registry/taken-names/${NAME}`)).rejects.toThrow(/404/);
    await expect(t.admin('POST', '/_emulator/registry/taken-names', { names: ['Bad_Name'] })).rejects.toThrow(
      /400.*not a registry name/,
    );
    expect((await create())?.registry?.name).toBe(NAME);
    await t.admin('POST', '/_emulator/reset');
    expect(await names()).toContain('base2');
  });

  it('creates a registry in every region the spec lists, and picks one when none is given', async () => {
    for (const region of ['nyc3', 'sfo3', 'sfo2', 'ams3', 'sgp1', 'fra1', 'blr1', 'syd1']) {
      expect(
        // dots types the older five-region list; the request carries any of them.
        (await registry().post({ name: NAME, subscriptionTierSlug: 'basic', region: region as never }))
          ?.registry?.region,
      ).toBe(region);
      await registry().delete();
    }
    expect((await registry().post({ name: NAME, subscriptionTierSlug: 'basic' }))?.registry?.region).toBe(
      'nyc3',
    );
    const options = (await registry().optionsPath.get())?.options;
    expect(options?.availableRegions).toEqual([
      'nyc3',
      'sfo3',
      'sfo2',
      'ams3',
      'sgp1',
      'fra1',
      'blr1',
      'syd1',
    ]);
  });

  it('validates the create request', async () => {
    const bad = [
      { name: 'UPPER', subscriptionTierSlug: 'basic' },
      { name: NAME, subscriptionTierSlug: 'gold' },
      { name: NAME, subscriptionTierSlug: 'basic', region: 'lon1' },
      { subscriptionTierSlug: 'basic' },
    ];
    for (const body of bad) expect((await failure(registry().post(body as never))).status).toBe(422);
  });

  it('changes the subscription tier within what the registry holds', async () => {
    await create('starter');
    await seed('web', 'v1');
    expect((await registry().subscription.get())?.subscription?.tier?.slug).toBe('starter');
    const upgraded = await registry().subscription.post({ tierSlug: 'professional' });
    expect(upgraded?.subscription?.tier?.slug).toBe('professional');
    await seed('worker', 'v1');
    expect((await failure(registry().subscription.post({ tierSlug: 'starter' }))).message).toMatch(
      /OverRepositoryLimit/,
    );
    const starter = (await registry().optionsPath.get())?.options?.subscriptionTiers?.find(
      (x) => x.slug === 'starter',
    );
    expect(starter).toMatchObject({ eligible: false, eligibilityReasons: ['OverRepositoryLimit'] });
  });

  it('hands out Docker credentials for registry.digitalocean.com that are not the API token', async () => {
    await create();
    const credentials = await registry().dockerCredentials.get({
      queryParameters: { readWrite: true, expirySeconds: 3600 },
    });
    const auth = credentials?.auths?.registryDigitaloceanCom?.auth ?? '';
    const [user, password] = Buffer.from(auth, 'base64').toString().split(':');
    expect(user).toMatch(/^emu_docr_rw_[0-9a-f]{40}$/);
    expect(password).toBe(user);
    expect(Buffer.from(auth, 'base64').toString()).not.toContain(t.emu.token);
  });

  it('lists repositories with their latest manifest, tags and manifests after seeding', async () => {
    await create();
    const v1 = await seed('base2/web', 'v1', { size_bytes: 10_000_000 });
    await advance(1000);
    const v2 = await seed('base2/web', 'v2', { size_bytes: 20_000_000 });
    await seed('worker', 'latest');

    const list = await named().repositoriesV2.get();
    expect(list?.repositories?.map((r) => [r.name, r.tagCount, r.manifestCount])).toEqual([
      ['base2/web', 2, 2],
      ['worker', 1, 1],
    ]);
    expect(list?.repositories?.[0]?.latestManifest).toMatchObject({
      digest: v2.digest,
      sizeBytes: 20_000_000,
      compressedSizeBytes: 8_000_000,
      tags: ['v2'],
    });
    const v1List = await named().repositories.get();
    expect(v1List?.repositories?.[0]?.latestTag).toMatchObject({ tag: 'v2', manifestDigest: v2.digest });

    const tags = await repo('base2/web').tags.get();
    expect(tags?.tags?.map((x) => [x.tag, x.manifestDigest])).toEqual([
      ['v2', v2.digest],
      ['v1', v1.digest],
    ]);
    const manifests = (await repo('base2/web').digests.get())?.manifests;
    expect(manifests?.map((m) => m.tags)).toEqual([['v2'], ['v1']]);
    expect(manifests?.[1]?.blobs?.reduce((n, b) => n + (b.compressedSizeBytes ?? 0), 0)).toBe(4_000_000);
    expect((await registry().get())?.registry?.storageUsageBytes).toBeGreaterThan(12_000_000);
    expect((await failure(repo('missing').tags.get())).status).toBe(404);
    expect((await failure(dots.v2.registry.byRegistry_name('other').repositoriesV2.get())).status).toBe(404);
  });

  it('deletes a tag (its manifest stays, untagged) and deletes manifests', async () => {
    await create();
    const v1 = await seed('web', 'v1');
    await seed('web', 'v2');
    await repo('web').tags.byRepository_tag('v1').delete();
    expect((await repo('web').tags.get())?.tags?.map((x) => x.tag)).toEqual(['v2']);
    const manifests = (await repo('web').digests.get())?.manifests;
    expect(manifests?.find((m) => m.digest === v1.digest)?.tags).toEqual([]);
    expect((await failure(repo('web').tags.byRepository_tag('v1').delete())).status).toBe(404);

    await repo('web').digests.byManifest_digest(v1.digest).delete();
    expect((await repo('web').digests.get())?.meta?.total).toBe(1);
    const v2 = (await repo('web').digests.get())?.manifests?.[0]?.digest ?? '';
    await repo('web').digests.byManifest_digest(v2).delete();
    // A repository with no manifests left is gone.
    expect((await named().repositoriesV2.get())?.meta?.total).toBe(0);
  });

  it('moves a re-pushed tag to the new manifest and reports images through the registry service', async () => {
    await create();
    const first = await seed('web', 'latest');
    const second = await seed('web', 'latest');
    expect(second.digest).not.toBe(first.digest);
    const has = async (ref: string) => {
      const url = `${t.emu.apiUrl}/v2/probe/registry/has?repository=web&ref=${encodeURIComponent(ref)}`;
      const response = await t.fetch(url, { headers: { authorization: `Bearer ${t.emu.token}` } });
      return (await response.json()) as { found: boolean; digest: string | null };
    };
    expect(await has('latest')).toEqual({ found: true, digest: second.digest });
    expect(await has(first.digest)).toEqual({ found: true, digest: first.digest });
    expect((await has('v9')).found).toBe(false);
  });

  it('refuses seeding without a registry, past the tier limits and with bad names', async () => {
    expect(await seedStatus({ repository: 'web', tag: 'v1' })).toBe(404);
    await create('starter');
    expect(await seedStatus({ repository: 'web', tag: 'v1' })).toBe(201);
    expect(await seedStatus({ repository: 'api', tag: 'v1' })).toBe(403);
    const denied = await t.fetch(`${t.emu.apiUrl}${IMAGES}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t.emu.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ repository: 'api', tag: 'v1' }),
    });
    expect(((await denied.json()) as { message: string }).message).toBe(
      'denied: registry contains 1 repositories, limit is 1',
    );
    expect(await seedStatus({ repository: 'web', tag: 'big', size_bytes: 2_000_000_000 })).toBe(403);
    expect(await seedStatus({ repository: 'Web', tag: 'v1' })).toBe(400);
    expect(await seedStatus({ repository: 'web', tag: 'bad tag' })).toBe(400);
    expect(await seedStatus({ repository: 'web', tag: 'v2', digest: 'md5:abc' })).toBe(400);
  });

  it('walks garbage collection through its phases and frees the untagged manifests', async () => {
    await create();
    const old = await seed('web', 'latest', { size_bytes: 10_000_000 });
    await seed('web', 'latest', { size_bytes: 10_000_000 });
    const before = (await registry().get())?.registry?.storageUsageBytes ?? 0;

    const started = (
      await named().garbageCollection.post({ type: 'untagged manifests and unreferenced blobs' })
    )?.garbageCollection;
    expect(started).toMatchObject({
      registryName: NAME,
      status: 'requested',
      blobsDeleted: 0,
      freedBytes: 0,
    });
    expect((await failure(named().garbageCollection.post({ type: 'unreferenced blobs only' }))).status).toBe(
      409,
    );
    // The registry is read-only while garbage collection runs.
    expect(await seedStatus({ repository: 'web', tag: 'v3' })).toBe(409);

    const statuses = [];
    for (let phase = 0; phase < 4; phase++) {
      statuses.push((await named().garbageCollection.get())?.garbageCollection?.status);
      await advance(PHASE_MS);
    }
    expect(statuses).toEqual([
      'requested',
      'waiting for write JWTs to expire',
      'scanning manifests',
      'deleting unreferenced blobs',
    ]);
    expect((await failure(named().garbageCollection.get())).status).toBe(404);

    const runs = (await named().garbageCollections.get())?.garbageCollections;
    expect(runs).toHaveLength(1);
    expect(runs?.[0]).toMatchObject({
      uuid: started?.uuid,
      status: 'succeeded',
      blobsDeleted: 2,
      freedBytes: 4_000_000,
    });
    expect((await registry().get())?.registry?.storageUsageBytes).toBe(before - 4_000_000);
    const manifests = (await repo('web').digests.get())?.manifests?.map((m) => m.digest);
    expect(manifests).not.toContain(old.digest);
    expect(manifests).toHaveLength(1);
    expect(await seedStatus({ repository: 'web', tag: 'v3' })).toBe(201);
  });

  it('cancels a running garbage collection, leaving the registry as it was', async () => {
    await create();
    await seed('web', 'latest');
    await seed('web', 'latest');
    const run = (await named().garbageCollection.post({ type: 'untagged manifests only' }))
      ?.garbageCollection;
    await advance(PHASE_MS);
    const gcItem = named().garbageCollection.byGarbage_collection_uuid(run?.uuid ?? '');
    expect((await gcItem.put({ cancel: true }))?.garbageCollection?.status).toBe('cancelled');
    expect((await failure(gcItem.put({ cancel: true }))).status).toBe(409);
    await advance(GC_MS);
    expect((await repo('web').digests.get())?.meta?.total).toBe(2);
    expect((await named().garbageCollections.get())?.garbageCollections?.[0]?.status).toBe('cancelled');
    expect(
      (await failure(named().garbageCollection.byGarbage_collection_uuid('nope').put({ cancel: true })))
        .status,
    ).toBe(404);
  });

  it('paginates repositories and tags', async () => {
    await create();
    for (const name of ['a', 'b', 'c']) await seed(name, 'v1');
    for (const tag of ['t1', 't2', 't3']) await seed('a', tag);
    const page = await named().repositoriesV2.get({ queryParameters: { perPage: 2, page: 2 } });
    expect(page?.repositories?.map((r) => r.name)).toEqual(['c']);
    expect(page?.meta?.total).toBe(3);
    const tags = await repo('a').tags.get({ queryParameters: { perPage: 3 } });
    expect(tags?.tags).toHaveLength(3);
    expect(tags?.meta?.total).toBe(4);
  });
});
