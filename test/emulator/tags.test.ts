import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { REALISTIC_TIMING } from '../../emulator/timing.js';
import {
  type DropletTestEmulator,
  expectConformance,
  failure,
  startDropletEmulator,
} from './fixtures/droplet-emulator.js';

const base = { region: 'ams3', size: 's-1vcpu-512mb-10gb', image: 'ubuntu-24-04-x64' };

describe('tags (/v2/tags)', () => {
  let t: DropletTestEmulator;

  beforeAll(async () => {
    t = await startDropletEmulator({ timeScale: 1, timing: { apiLatencyMs: 0 } });
  });
  afterAll(async () => {
    expectConformance(t);
    await t?.stop();
  });
  beforeEach(async () => {
    await t.admin('POST', '/_emulator/reset');
  });

  const droplet = async (name: string, tags: string[] = []) => {
    const answer = (await t.dots.v2.droplets.post({ ...base, name, tags })) as { droplet: { id: number } };
    return answer.droplet.id;
  };
  const resources = (...ids: number[]) => ({
    resources: ids.map((id) => ({ resourceId: String(id), resourceType: 'droplet' as const })),
  });

  it('creates a tag with empty resource counts, and answers it again when created twice', async () => {
    const created = await t.dots.v2.tags.post({ name: 'env:staging' });
    expect(created?.tag?.name).toBe('env:staging');
    expect(created?.tag?.resources?.count).toBe(0);
    expect(created?.tag?.resources?.droplets?.count).toBe(0);
    const again = await t.dots.v2.tags.post({ name: 'env:staging' });
    expect(again?.tag?.name).toBe('env:staging');
    expect((await t.dots.v2.tags.get())?.tags?.map((tag) => tag.name)).toEqual(['env:staging']);
  });

  it('refuses names outside letters, digits, colons, dashes and underscores with the tag service’s 400', async () => {
    for (const name of ['has space', 'slash/y', 'x'.repeat(256), '']) {
      const response = await t.api('POST', '/v2/tags', { name });
      expect(response.status, name.slice(0, 10)).toBe(400);
      const body = (await response.json()) as { error: string; root_causes: string[] };
      expect(body.error).toBe(
        `Error validating resource tag: "tag-name ${JSON.stringify(name)} contains invalid characters"`,
      );
      expect(body.root_causes).toEqual([`rpc error: code = InvalidArgument desc = ${body.error}`]);
    }
    expect((await failure(t.dots.v2.tags.post({}))).responseStatusCode).toBe(400);
    expect((await t.dots.v2.tags.get())?.meta?.total).toBe(0);
  });

  it('counts the droplets it is on and points at the last one tagged', async () => {
    const a = await droplet('a', ['web']);
    const b = await droplet('b');
    await t.dots.v2.tags.byTag_id('web').resources.post(resources(b));
    const tag = (await t.dots.v2.tags.byTag_id('web').get())?.tag;
    expect(tag?.resources?.count).toBe(2);
    expect(tag?.resources?.droplets?.count).toBe(2);
    expect(tag?.resources?.lastTaggedUri).toBe(`${t.emu.apiUrl}/v2/droplets/${b}`);
    expect(tag?.resources?.droplets?.lastTaggedUri).toBe(`${t.emu.apiUrl}/v2/droplets/${b}`);
    const tagged = await t.dots.v2.droplets.get({ queryParameters: { tagName: 'web' } });
    expect(tagged?.droplets?.map((d) => d.id)).toEqual([a, b]);
  });

  it('untags droplets, and tagging twice is harmless', async () => {
    await t.dots.v2.tags.post({ name: 'blue' });
    const a = await droplet('a');
    await t.dots.v2.tags.byTag_id('blue').resources.post(resources(a));
    await t.dots.v2.tags.byTag_id('blue').resources.post(resources(a));
    expect((await t.dots.v2.droplets.byDroplet_id(a).get())?.droplet?.tags).toEqual(['blue']);
    await t.dots.v2.tags.byTag_id('blue').resources.delete(resources(a));
    expect((await t.dots.v2.droplets.byDroplet_id(a).get())?.droplet?.tags).toEqual([]);
    expect((await t.dots.v2.tags.byTag_id('blue').get())?.tag?.resources?.count).toBe(0);
  });

  it('needs the tag and every droplet to exist, and changes nothing otherwise', async () => {
    const a = await droplet('a');
    const noTag = await failure(t.dots.v2.tags.byTag_id('missing').resources.post(resources(a)));
    expect(noTag.responseStatusCode).toBe(404);
    await t.dots.v2.tags.post({ name: 'green' });
    const noDroplet = await failure(t.dots.v2.tags.byTag_id('green').resources.post(resources(a, 424242)));
    expect(noDroplet.responseStatusCode).toBe(404);
    expect((await t.dots.v2.droplets.byDroplet_id(a).get())?.droplet?.tags).toEqual([]);
    const empty = await t.api('POST', '/v2/tags/green/resources', { resources: [] });
    expect(empty.status).toBe(400);
  });

  it('deletes a tag and removes it from every droplet', async () => {
    const a = await droplet('a', ['old']);
    await t.dots.v2.tags.byTag_id('old').delete();
    expect((await failure(t.dots.v2.tags.byTag_id('old').get())).responseStatusCode).toBe(404);
    expect((await t.dots.v2.droplets.byDroplet_id(a).get())?.droplet?.tags).toEqual([]);
    expect((await failure(t.dots.v2.tags.byTag_id('old').delete())).responseStatusCode).toBe(404);
  });

  it('drops deleted droplets from the counts', async () => {
    const a = await droplet('a', ['fleet']);
    await droplet('b', ['fleet']);
    await t.dots.v2.droplets.byDroplet_id(a).delete();
    await t.advance(REALISTIC_TIMING.dropletDeleteMs);
    expect((await t.dots.v2.tags.byTag_id('fleet').get())?.tag?.resources?.count).toBe(1);
  });
});
