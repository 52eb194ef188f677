import { createDropletFromDiscriminatorValue } from '@digitalocean/dots';
import { JsonParseNode } from '@microsoft/kiota-serialization-json';
import { afterEach, describe, expect, it } from 'vitest';
import { type DoApi, listAll } from '../../lib/do/index.js';
import { OperationError } from '../../lib/errors.js';
import { closeFixtures, doFixture, dropletJson } from '../support/do-fixtures.js';
import { notFound, type RecordedRequest, type Reply } from '../support/https-server.js';

const droplets = [1, 2, 3, 4, 5].map((id) => dropletJson(id, `base2-staging-${id}`));

/** DigitalOcean's list shape: links to other pages as absolute URLs, and the total. */
function dropletPages(request: RecordedRequest): Reply {
  if (request.path !== '/v2/droplets') return notFound;
  const page = Number(request.query.get('page') ?? 1);
  const perPage = Number(request.query.get('per_page') ?? 20);
  const last = Math.ceil(droplets.length / perPage);
  const link = (n: number) => `https://api.digitalocean.com/v2/droplets?page=${n}&per_page=${perPage}`;
  const pages = {
    ...(page > 1 ? { first: link(1), prev: link(page - 1) } : {}),
    ...(page < last ? { next: link(page + 1), last: link(last) } : {}),
  };
  return {
    status: 200,
    body: {
      droplets: droplets.slice((page - 1) * perPage, page * perPage),
      links: { pages },
      meta: { total: droplets.length },
    },
  };
}

const listDroplets = (api: DoApi, perPage: number) =>
  listAll(
    async (page, size) => {
      const result = await api.client.v2.droplets.get({ queryParameters: { page, perPage: size } });
      return { items: result?.droplets, links: result?.links, meta: result?.meta };
    },
    { perPage, what: 'droplets' },
  );

describe('listAll', () => {
  afterEach(closeFixtures);

  it('reads all three pages of a dots list by following links.pages.next', async () => {
    const { api, server } = await doFixture({ handler: dropletPages });
    const all = await listDroplets(api, 2);
    expect(all.map((d) => d.name)).toEqual(droplets.map((d) => d.name));
    expect(all[0]?.tags).toEqual(['base2-staging']);
    expect(server.requests.map((r) => r.url)).toEqual([
      '/v2/droplets?page=1&per_page=2',
      '/v2/droplets?page=2&per_page=2',
      '/v2/droplets?page=3&per_page=2',
    ]);
  });

  it('asks for 200 a page unless told otherwise', async () => {
    const { api, server } = await doFixture({ handler: dropletPages });
    await listAll(async (page, perPage) => {
      const result = await api.client.v2.droplets.get({ queryParameters: { page, perPage } });
      return { items: result?.droplets, links: result?.links };
    });
    expect(server.requests.map((r) => r.query.get('per_page'))).toEqual(['200']);
  });

  it('refuses to loop when a page links back to one already read', async () => {
    const page = (next: string) => ({ items: [1], links: { pages: { next } } });
    await expect(listAll(async (n) => page(`https://x/v2/droplets?page=${n === 1 ? 2 : 1}`))).rejects.toThrow(
      OperationError,
    );
    await expect(
      listAll(async () => page('https://x/v2/droplets?page=2'), { what: 'droplets' }),
    ).rejects.toThrow('Could not read droplets to the end: page 2 links back to page 2.');
    await expect(listAll(async () => page('https://x/v2/droplets?cursor=abc'))).rejects.toThrow(
      /no page number/,
    );
  });

  it('stops at maxPages rather than paging forever', async () => {
    const fetchPage = async (n: number) => ({
      items: [n],
      links: { pages: { next: `https://x/v2/things?page=${n + 1}` } },
    });
    await expect(listAll(fetchPage, { maxPages: 5 })).rejects.toThrow(/still had more after 5 pages/);
  });

  it("parses droplet tags, which dots cannot with the installed Kiota's own JSON parser", () => {
    // If this starts passing, Kiota and dots agree again and lib/do/parse-node.ts can go.
    expect(() =>
      new JsonParseNode(dropletJson(1, 'x')).getObjectValue(createDropletFromDiscriminatorValue),
    ).toThrow(/unsupported type during deserialization/);
  });
});
