import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paginate } from '../../emulator/core/paginate.js';
import type { EmulatorModule } from '../../emulator/core/types.js';
import { accountModule } from '../../emulator/resources/account.js';
import { startTestEmulator, type TestEmulator } from '../support/emulator.js';

const ITEMS = Array.from({ length: 450 }, (_, i) => ({ name: `item-${String(i + 1).padStart(3, '0')}` }));

/** A 450-item list through core/paginate, once at a probe path and once at DigitalOcean's /v2/tags for dots. */
const listModule: EmulatorModule = {
  name: 'list-probe',
  register(core) {
    core.route('GET', '/v2/probe/items', (req) => ({
      status: 200,
      body: paginate(req, core.baseUrl(), 'items', ITEMS),
    }));
    const tags = ITEMS.map(({ name }) => ({ name, resources: { count: 0 } }));
    core.route('GET', '/v2/tags', (req) => ({
      status: 200,
      body: paginate(req, core.baseUrl(), 'tags', tags),
    }));
  },
};

interface Page {
  items: { name: string }[];
  links: { pages: Record<string, string> };
  meta: { total: number };
}

describe('pagination', () => {
  let t: TestEmulator;

  beforeAll(async () => {
    t = await startTestEmulator({ modules: [accountModule, listModule] });
  });
  afterAll(async () => {
    await t?.stop();
  });

  const get = async (query: string) => {
    const response = await t.fetch(`${t.emu.apiUrl}/v2/probe/items${query}`, {
      headers: { authorization: `Bearer ${t.emu.token}` },
    });
    return { status: response.status, body: (await response.json()) as Page };
  };
  /** A page link as `{ page, per_page, …other query }`, after checking it points back at the list. */
  const link = (href: string | undefined) => {
    const parsed = new URL(href ?? 'missing:');
    expect(`${parsed.origin}${parsed.pathname}`).toBe(`${t.emu.apiUrl}/v2/probe/items`);
    return Object.fromEntries(parsed.searchParams);
  };
  const links = (pages: Record<string, string>) =>
    Object.fromEntries(Object.entries(pages).map(([rel, href]) => [rel, link(href)]));

  it('gives 20 items by default with next and last links and the total', async () => {
    const { body } = await get('');
    expect(body.items.map((i) => i.name)).toEqual(ITEMS.slice(0, 20).map((i) => i.name));
    expect(body.meta).toEqual({ total: 450 });
    expect(links(body.links.pages)).toEqual({
      next: { page: '2', per_page: '20' },
      last: { page: '23', per_page: '20' },
    });
  });

  it('gives first, prev, next and last on a middle page', async () => {
    const { body } = await get('?page=3&per_page=100');
    expect(body.items[0]!.name).toBe('item-201');
    expect(body.items).toHaveLength(100);
    expect(links(body.links.pages)).toEqual({
      first: { page: '1', per_page: '100' },
      prev: { page: '2', per_page: '100' },
      next: { page: '4', per_page: '100' },
      last: { page: '5', per_page: '100' },
    });
  });

  it('gives only first and prev on the last page', async () => {
    const { body } = await get('?page=5&per_page=100');
    expect(body.items.map((i) => i.name)).toEqual(ITEMS.slice(400).map((i) => i.name));
    expect(Object.keys(body.links.pages)).toEqual(['first', 'prev']);
  });

  it('caps per_page at 200', async () => {
    const { body } = await get('?per_page=500');
    expect(body.items).toHaveLength(200);
    expect(link(body.links.pages.last)).toEqual({ page: '3', per_page: '200' });
  });

  it('answers a page past the end with no items and links back', async () => {
    const { status, body } = await get('?page=40&per_page=200');
    expect(status).toBe(200);
    expect(body.items).toEqual([]);
    expect(links(body.links.pages)).toEqual({
      first: { page: '1', per_page: '200' },
      prev: { page: '3', per_page: '200' },
    });
    expect(body.meta.total).toBe(450);
  });

  it('keeps the other query parameters in the links', async () => {
    const { body } = await get('?tag_name=web&per_page=200');
    expect(link(body.links.pages.next)).toEqual({ tag_name: 'web', page: '2', per_page: '200' });
  });

  it('falls back to the first page of 20 for page and per_page that are not positive integers', async () => {
    for (const query of ['?page=0', '?page=-1', '?per_page=abc', '?page=1.5', '?per_page=0']) {
      const { status, body } = await get(query);
      expect(status, query).toBe(200);
      expect(body.items, query).toHaveLength(20);
      expect(body.items[0]?.name, query).toBe(ITEMS[0]!.name);
    }
  });

  it('walks every item by following next links', async () => {
    const seen: string[] = [];
    let next: string | undefined = `${t.emu.apiUrl}/v2/probe/items?per_page=200`;
    while (next) {
      const response = await t.fetch(next, { headers: { authorization: `Bearer ${t.emu.token}` } });
      const page = (await response.json()) as Page;
      seen.push(...page.items.map((i) => i.name));
      next = page.links.pages.next;
    }
    expect(seen).toEqual(ITEMS.map((i) => i.name));
  });

  it('is read by dots, which types first/prev but leaves next/last in pages.additionalData', async () => {
    const tags = (query: string) => `${t.emu.apiUrl}/v2/tags?${query}`;
    const middle = await t.dots.v2.tags.get({ queryParameters: { page: 2, perPage: 200 } });
    expect(middle?.tags).toHaveLength(200);
    expect(middle?.tags?.[0]?.name).toBe('item-201');
    expect(middle?.meta?.total).toBe(450);
    expect(middle?.links?.pages).toEqual({
      first: tags('page=1&per_page=200'),
      prev: tags('page=1&per_page=200'),
      additionalData: { next: tags('page=3&per_page=200'), last: tags('page=3&per_page=200') },
    });
    const first = await t.dots.v2.tags.get({ queryParameters: { perPage: 200 } });
    expect(first?.links?.pages).toEqual({
      additionalData: { next: tags('per_page=200&page=2'), last: tags('per_page=200&page=3') },
    });
  });
});
