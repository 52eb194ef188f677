/** GET /v2/sizes: the droplet size catalog a client checks a size against before it creates or resizes. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEmulator, type TestEmulator } from '../support/emulator.js';

describe('droplet sizes (/v2/sizes)', () => {
  let t: TestEmulator;
  beforeAll(async () => {
    t = await startTestEmulator();
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('lists every size with its disk, whether it can be ordered and the regions that offer it, paginated', async () => {
    const all = (await t.dots.v2.sizes.get({ queryParameters: { perPage: 200 } }))?.sizes ?? [];
    const small = all.find((s) => s.slug === 's-1vcpu-1gb');
    expect(small).toMatchObject({ disk: 25, memory: 1024, vcpus: 1, available: true });
    expect(small?.regions).toContain('nyc3');
    // Datacenters closed to new droplets offer no size.
    expect(small?.regions).not.toContain('nyc2');
    const first = await t.dots.v2.sizes.get({ queryParameters: { perPage: 2 } });
    expect(first?.sizes).toHaveLength(2);
    expect(first?.meta?.total).toBe(all.length);
  });

  it('offers for creates exactly the sizes that create accepts, and nothing it refuses', async () => {
    const all = (await t.dots.v2.sizes.get({ queryParameters: { perPage: 200 } }))?.sizes ?? [];
    const slugs = all.map((s) => s.slug);
    expect(slugs).not.toContain('s-3vcpu-9gb');
    const created = await t.dots.v2.droplets.post({
      name: 'size-check',
      region: 'nyc3',
      size: slugs.at(-1)!,
      image: 'debian-12-x64',
    });
    expect((created as { droplet?: { sizeSlug?: string } })?.droplet?.sizeSlug).toBe(slugs.at(-1));
  });
});
