import type { Droplet } from '@digitalocean/dots';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiError, createOnce, type DoApi, listAll } from '../../lib/do/index.js';
import {
  closeFixtures,
  type DoFixture,
  type DropletJson,
  doFixture,
  dropletJson,
} from '../support/do-fixtures.js';
import { doError, notFound, type RecordedRequest, type Reply } from '../support/https-server.js';

/** What the next droplet create does on the server. */
type CreateFault = 'commit-then-500' | 'commit-then-drop' | 'fail-before-commit' | 'refuse-422';

/** Droplets as DigitalOcean keeps them, with faults injected into creates. */
function dropletStore() {
  const droplets: DropletJson[] = [];
  const faults: CreateFault[] = [];
  let nextId = 100;
  const handler = (request: RecordedRequest): Reply => {
    if (request.path !== '/v2/droplets') return notFound;
    if (request.method === 'GET') {
      const tag = request.query.get('tag_name');
      const found = droplets.filter((d) => !tag || d.tags.includes(tag));
      return { status: 200, body: { droplets: found, links: {}, meta: { total: found.length } } };
    }
    const fault = faults.shift();
    if (fault === 'refuse-422')
      return doError(422, 'unprocessable_entity', 'Region is not available', 'r-422');
    if (fault === 'fail-before-commit')
      return doError(500, 'server_error', 'Server was unable to give you a response.');
    const body = JSON.parse(request.body) as { name: string; tags?: string[] };
    const droplet = dropletJson(nextId++, body.name, body.tags ?? []);
    droplets.push(droplet);
    if (fault === 'commit-then-drop') return 'drop';
    if (fault === 'commit-then-500')
      return doError(500, 'server_error', 'Server was unable to give you a response.');
    return { status: 202, body: { droplet } };
  };
  return { droplets, faults, handler };
}

const name = 'base2-staging-1';

function createDroplet(fixture: DoFixture) {
  const { api, clock } = fixture;
  return createOnce<Droplet>({
    what: `droplet ${name}`,
    clock,
    hint: 'Check the region in deployment.yml.',
    find: async () => (await listTagged(api)).find((d) => d.name === name),
    create: async () => {
      const result = await api.client.v2.droplets.post({
        name,
        region: 'nyc3',
        size: 's-1vcpu-1gb',
        image: 'ubuntu-24-04-x64',
        tags: ['base2-staging'],
      });
      const droplet = result && 'droplet' in result ? result.droplet : undefined;
      if (!droplet) throw new Error('create answered without a droplet');
      return droplet;
    },
  });
}

function listTagged(api: DoApi): Promise<Droplet[]> {
  return listAll(async (page, perPage) => {
    const result = await api.client.v2.droplets.get({
      queryParameters: { tagName: 'base2-staging', page, perPage },
    });
    return { items: result?.droplets, links: result?.links, meta: result?.meta };
  });
}

const posts = (fixture: DoFixture) => fixture.server.requests.filter((r) => r.method === 'POST').length;

describe('createOnce', () => {
  afterEach(closeFixtures);

  it('returns what already exists and makes no mutating call', async () => {
    const store = dropletStore();
    store.droplets.push(dropletJson(7, name));
    const fixture = await doFixture({ handler: store.handler });
    const result = await createDroplet(fixture);
    expect(result).toMatchObject({ created: false, resource: { id: 7, name } });
    expect(fixture.api.calls.summary().mutating).toBe(0);
  });

  it('creates what does not exist yet', async () => {
    const store = dropletStore();
    const fixture = await doFixture({ handler: store.handler });
    const result = await createDroplet(fixture);
    expect(result).toMatchObject({ created: true, resource: { id: 100, name, tags: ['base2-staging'] } });
    expect(store.droplets).toHaveLength(1);
  });

  for (const fault of ['commit-then-500', 'commit-then-drop'] as const) {
    it(`finds the droplet instead of duplicating it when a create is committed and then fails (${fault})`, async () => {
      const store = dropletStore();
      store.faults.push(fault);
      const fixture = await doFixture({ handler: store.handler });
      const result = await createDroplet(fixture);
      expect(result).toMatchObject({ created: true, resource: { id: 100, name } });
      expect(store.droplets).toHaveLength(1);
      expect(posts(fixture)).toBe(1);
      expect(fixture.clock.waited).toContain(2000);
    });
  }

  it('creates once more when the failed create left nothing behind', async () => {
    const store = dropletStore();
    store.faults.push('fail-before-commit');
    const fixture = await doFixture({ handler: store.handler });
    const result = await createDroplet(fixture);
    expect(result).toMatchObject({ created: true, resource: { id: 100 } });
    expect(store.droplets).toHaveLength(1);
    expect(posts(fixture)).toBe(2);
  });

  it('throws a refused create as it is, without looking again', async () => {
    const store = dropletStore();
    store.faults.push('refuse-422');
    const fixture = await doFixture({ handler: store.handler });
    const error = await createDroplet(fixture).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).describe()).toBe(
      'DigitalOcean refused to create droplet base2-staging-1: 422 unprocessable_entity — Region is not available ' +
        '(request r-422). Check the region in deployment.yml.',
    );
    expect(fixture.server.requests.map((r) => r.method)).toEqual(['GET', 'POST']);
    expect(store.droplets).toHaveLength(0);
  });
});
