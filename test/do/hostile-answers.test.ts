/**
 * A server that is not DigitalOcean, answering 200 with garbage: it is refused, in one sentence
 * naming the call, before dots or anything above believes it. Sizes are refused while the body
 * streams in (an endless body ends the request), lists may hold no more than their page, pages go
 * no further than any account's lists, and a list or object in the wrong place is named.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../lib/clock.js';
import { type ApiError, createDoClient, type DoApi, listAll, toApiError } from '../../lib/do/index.js';
import { MAX_LIST_ITEMS } from '../../lib/do/response-guard.js';
import { closeFixtures, dropletJson, plantedToken, track } from '../support/do-fixtures.js';
import { type Handler, type Reply, startHttpsServer } from '../support/https-server.js';
import { fixedRandom } from '../support/scaled-clock.js';
import { startStallingServer } from '../support/stalling-servers.js';

function clientOf(server: { origin: string; caPem: string }): DoApi {
  return track(
    createDoClient({
      token: plantedToken,
      apiUrl: server.origin,
      caPem: server.caPem,
      clock: systemClock,
      random: fixedRandom(),
    }),
  );
}

async function answering(handler: Handler): Promise<{ api: DoApi; requests: () => number }> {
  const server = track(await startHttpsServer({ handler }));
  return { api: clientOf(server), requests: () => server.requests.length };
}

const listDroplets = (api: DoApi) =>
  listAll(
    async (page, perPage) => {
      const r = await api.client.v2.droplets.get({ queryParameters: { page, perPage } });
      return { items: r?.droplets, links: r?.links, meta: r?.meta };
    },
    { what: 'droplets' },
  );

async function refusal(promise: Promise<unknown>, action: string): Promise<ApiError> {
  try {
    await promise;
  } catch (error) {
    return toApiError(error, { action });
  }
  throw new Error('expected the call to be refused');
}

function expectRefusal(error: ApiError): void {
  expect(error.reason).toBe('response');
  expect(error.message).toMatch(/^Did not believe the API's answer when asked to /);
  expect(error.hint).toContain('DIGITALOCEAN_API_URL');
  expect(error.message).not.toContain(plantedToken);
}

const ok = (body: unknown): Reply => ({ status: 200, body });

describe('answers no DigitalOcean server sends are refused', () => {
  afterEach(closeFixtures);

  it('an endless body is refused while it streams in, past 16 MiB', async () => {
    const server = track(await startStallingServer('endless-body'));
    const error = await refusal(listDroplets(clientOf(server)), 'list droplets');
    expectRefusal(error);
    expect(error.message).toContain('GET /v2/droplets?page=1&per_page=200');
    expect(error.message).toContain('its body passed 16 MiB');
  });

  it('a body declared larger than 16 MiB is refused before it is read', async () => {
    const body = `{"account":${JSON.stringify('x'.repeat(17 * 1024 * 1024))}}`;
    const { api } = await answering(() => ({
      status: 200,
      headers: { 'content-type': 'application/json', 'content-length': String(body.length) },
      body,
    }));
    const error = await refusal(api.client.v2.account.get(), 'read the account');
    expectRefusal(error);
    expect(error.message).toMatch(/it declared \d+ bytes, more than 16 MiB/);
  });

  it('a page of 2,000,000 entries is refused naming the endpoint, not believed', async () => {
    const huge = `{"droplets":[${Array.from({ length: 2_000_000 }, () => '{}').join(',')}],"meta":{"total":2000000}}`;
    const { api } = await answering(() => ({
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: huge,
    }));
    const error = await refusal(listDroplets(api), 'list droplets');
    expectRefusal(error);
    expect(error.message).toContain(
      'the answer to GET /v2/droplets?page=1&per_page=200 was refused: its "droplets" list holds 2,000,000 items where a page holds at most 200',
    );
  });

  it('a list that says it holds more than any account has is refused at its first page', async () => {
    const { api, requests } = await answering(() =>
      ok({
        droplets: [dropletJson(1, 'base2-staging-1')],
        links: { pages: { next: 'https://api.digitalocean.com/v2/droplets?page=2&per_page=200' } },
        meta: { total: 10_000_000 },
      }),
    );
    const error = await refusal(listDroplets(api), 'list droplets');
    expectRefusal(error);
    expect(error.message).toContain(
      "it says the list holds 10,000,000 items, and no account's list goes beyond 50,000",
    );
    expect(requests()).toBe(1);
  });

  it('next-page links past any account’s list are not followed', async () => {
    const { api, requests } = await answering((request) => {
      const page = Number(request.query.get('page'));
      const next = page === 1 ? 300 : page + 1;
      return ok({
        droplets: [dropletJson(page, `base2-staging-${page}`)],
        links: { pages: { next: `https://api.digitalocean.com/v2/droplets?page=${next}&per_page=200` } },
      });
    });
    const error = await refusal(listDroplets(api), 'list droplets');
    expect(error.reason).toBe('response');
    expect(requests()).toBe(1);
    expect(error.message).toContain('GET /v2/droplets?page=300&per_page=200 was not sent');
    expect(error.message).toContain(
      `no account's list goes beyond ${MAX_LIST_ITEMS.toLocaleString('en-US')} items`,
    );
  });

  it('a list where DigitalOcean sends a list of objects is named, not read as empty', async () => {
    const { api } = await answering(() => ok({ droplets: 'none', meta: { total: 0 } }));
    const error = await refusal(listDroplets(api), 'list droplets');
    expectRefusal(error);
    expect(error.message).toContain('its "droplets" is a string where DigitalOcean sends a list');
  });

  it('an object in the wrong shape deep inside an item is named with its path', async () => {
    const droplet = { ...dropletJson(1, 'base2-staging-1'), networks: { v4: 42 } };
    const { api } = await answering(() => ok({ droplets: [droplet], meta: { total: 1 } }));
    const error = await refusal(listDroplets(api), 'list droplets');
    expectRefusal(error);
    expect(error.message).toContain(
      'its "droplets[0].networks.v4" is a number where DigitalOcean sends a list',
    );
  });

  it('a 200 that is not JSON (a captive portal, a web server) is refused', async () => {
    const { api } = await answering(() => ({
      status: 200,
      headers: { 'content-type': 'text/html' },
      body: '<html><body>Welcome to nginx!</body></html>',
    }));
    const error = await refusal(api.client.v2.account.get(), 'read the account');
    expectRefusal(error);
    expect(error.message).toContain('GET /v2/account was refused: its body is not JSON');
  });

  it('a JSON list where DigitalOcean answers with an object is refused', async () => {
    const { api } = await answering(() => ok([{ id: 1 }]));
    const error = await refusal(api.client.v2.account.get(), 'read the account');
    expectRefusal(error);
    expect(error.message).toContain('its body is a JSON list, not an object');
  });

  it('a list longer than 200 is refused where the request named no page size', async () => {
    const { api } = await answering(() =>
      ok({ namespaces: Array.from({ length: 201 }, (_, i) => ({ namespace: `fn-${i}` })) }),
    );
    const error = await refusal(api.client.v2.functions.namespaces.get(), 'list Functions namespaces');
    expectRefusal(error);
    expect(error.message).toContain('its "namespaces" list holds 201 items where a page holds at most 200');
  });

  it('real-sized answers still pass: a full page of 200 droplets', async () => {
    const page = Array.from({ length: 200 }, (_, i) => dropletJson(i + 1, `base2-staging-${i + 1}`));
    const { api } = await answering(() => ok({ droplets: page, links: {}, meta: { total: 200 } }));
    const all = await listDroplets(api);
    expect(all).toHaveLength(200);
  });
});
