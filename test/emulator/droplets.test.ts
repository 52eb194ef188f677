import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_DROPLET_LIMIT } from '../../emulator/resources/account.js';
import { REALISTIC_TIMING } from '../../emulator/timing.js';
import type { DotsClient } from '../support/emulator.js';
import {
  type DropletTestEmulator,
  expectConformance,
  failure,
  keyPair,
  startDropletEmulator,
} from './fixtures/droplet-emulator.js';

type DropletGet = Awaited<ReturnType<ReturnType<DotsClient['v2']['droplets']['byDroplet_id']>['get']>>;
type Droplet = NonNullable<NonNullable<DropletGet>['droplet']>;

const BOOT_MS = REALISTIC_TIMING.dropletBootMs;
const base = { region: 'nyc3', size: 's-1vcpu-1gb', image: 'debian-12-x64' };

describe('droplets (/v2/droplets)', () => {
  let t: DropletTestEmulator;

  // Real time barely moves (scale 1, no API latency): the tests move the clock themselves.
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

  const create = async (name: string, extra: Record<string, unknown> = {}) => {
    const answer = await t.dots.v2.droplets.post({ ...base, name, ...extra });
    return answer as { droplet: Droplet; links: { actions: { id: number; rel: string; href: string }[] } };
  };
  const get = async (id: number) => (await t.dots.v2.droplets.byDroplet_id(id).get())!.droplet!;

  it('creates a droplet that is new, without networks, until it has booted', async () => {
    const { droplet, links } = await create('web-1', { monitoring: true, ipv6: true });
    expect(droplet).toMatchObject({
      name: 'web-1',
      status: 'new',
      locked: false,
      sizeSlug: 's-1vcpu-1gb',
      memory: 1024,
    });
    expect(droplet.networks?.v4).toEqual([]);
    expect(droplet.region?.slug).toBe('nyc3');
    expect(droplet.image?.slug).toBe('debian-12-x64');
    expect(droplet.features).toEqual(expect.arrayContaining(['monitoring', 'ipv6', 'private_networking']));
    expect(links.actions).toEqual([
      { id: expect.any(Number), rel: 'create', href: `${t.emu.apiUrl}/v2/actions/${links.actions[0]!.id}` },
    ]);
    expect((await t.dots.v2.actions.byAction_id(links.actions[0]!.id).get())?.action?.status).toBe(
      'in-progress',
    );

    await t.advance(BOOT_MS - 1_000);
    expect((await get(droplet.id!)).status).toBe('new');
    await t.advance(1_000);
    const active = await get(droplet.id!);
    expect(active.status).toBe('active');
    const v4 = active.networks?.v4 ?? [];
    expect(v4.find((n) => n.type === 'public')?.ipAddress).toMatch(/^127\.\d+\.\d+\.\d+$/);
    expect(v4.find((n) => n.type === 'private')?.ipAddress).toMatch(/^10\.\d+\.\d+\.\d+$/);
    expect(active.networks?.v6?.[0]?.ipAddress).toMatch(/:/);
    const createAction = await t.dots.v2.actions.byAction_id(links.actions[0]!.id).get();
    expect(createAction?.action).toMatchObject({
      status: 'completed',
      type: 'create',
      resourceId: droplet.id,
    });
  });

  it('gives each active droplet its own loopback address in range mode', async () => {
    const a = await create('a');
    const b = await create('b');
    await t.advance(BOOT_MS);
    const ips = await Promise.all(
      [a, b].map(
        async (c) => (await get(c.droplet.id!)).networks?.v4?.find((n) => n.type === 'public')?.ipAddress,
      ),
    );
    expect(new Set(ips).size).toBe(2);
  });

  it('creates several droplets from names, each with its own create action', async () => {
    const answer = (await t.dots.v2.droplets.post({
      ...base,
      names: ['api-1', 'api-2', 'api-3'],
      tags: ['api'],
    })) as {
      droplets: Droplet[];
      links: { actions: { id: number; rel: string }[] };
    };
    expect(answer.droplets.map((d) => d.name)).toEqual(['api-1', 'api-2', 'api-3']);
    expect(answer.links.actions).toHaveLength(3);
    expect(new Set(answer.links.actions.map((a) => a.id)).size).toBe(3);
    expect(answer.droplets.every((d) => d.tags?.includes('api'))).toBe(true);
  });

  it('allows two droplets with the same name', async () => {
    const first = await create('twin');
    const second = await create('twin');
    expect(second.droplet.id).not.toBe(first.droplet.id);
    const listed = await t.dots.v2.droplets.get({ queryParameters: { name: 'TWIN' } });
    expect(listed?.droplets?.map((d) => d.id)).toEqual([first.droplet.id, second.droplet.id]);
  });

  it('picks a region itself when none is given, as DigitalOcean does', async () => {
    const answer = (await t.dots.v2.droplets.post({
      name: 'anywhere',
      size: 's-1vcpu-1gb',
      image: 'ubuntu-24-04-x64',
    })) as {
      droplet: Droplet;
    };
    expect(answer.droplet.region?.slug).toBe('nyc3');
  });

  it('refuses invalid requests with DigitalOcean’s messages', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ ...base, name: 'bad_name' }, 'Only valid hostname characters are allowed. (a-z, A-Z, 0-9, . and -)'],
      [{ ...base, name: 'ok', size: '1gb-please' }, 'You specified an invalid size for Droplet creation.'],
      [{ ...base, name: 'ok', image: 'windows-11' }, 'You specified an invalid image for Droplet creation.'],
      [{ ...base, name: 'ok', region: 'mars1' }, 'You specified an invalid region for Droplet creation.'],
      // A region closed to new droplets is refused the same way.
      [{ ...base, name: 'ok', region: 'nyc2' }, 'You specified an invalid region for Droplet creation.'],
      [
        { ...base, name: 'ok', ssh_keys: ['12345', 'aa:bb'] },
        '12345, aa:bb are invalid key identifiers for Droplet creation.',
      ],
      [
        { ...base, names: Array.from({ length: 11 }, (_, i) => `n${i}`) },
        'You can create at most 10 Droplets at a time.',
      ],
      [
        { ...base, name: 'ok', user_data: 'x'.repeat(64 * 1024 + 1) },
        'user_data is too long (maximum is 64 KiB)',
      ],
      [{ ...base, name: 'ok', tags: ['no spaces'] }, expect.stringContaining('no spaces')],
    ] as never;
    for (const [body, message] of cases) {
      const response = await t.api('POST', '/v2/droplets', body);
      expect(response.status, JSON.stringify(body).slice(0, 60)).toBe(422);
      expect(await response.json()).toMatchObject({ id: 'unprocessable_entity', message });
    }
    expect((await t.dots.v2.droplets.get())?.meta?.total).toBe(0);
  });

  it('accepts ssh keys by id or fingerprint and creates tags on first use', async () => {
    const key = (await t.dots.v2.account.keys.post({ name: 'k', publicKey: keyPair().public }))!.sshKey!;
    const other = (await t.dots.v2.account.keys.post({ name: 'o', publicKey: keyPair().public }))!.sshKey!;
    const answer = await t.api('POST', '/v2/droplets', {
      ...base,
      name: 'keyed',
      ssh_keys: [key.id, other.fingerprint],
      tags: ['fresh-tag'],
    });
    expect(answer.status).toBe(202);
    const tag = await t.dots.v2.tags.byTag_id('fresh-tag').get();
    expect(tag?.tag?.resources?.count).toBe(1);
  });

  it('filters by tag or by name, refuses both at once, and pages', async () => {
    await t.dots.v2.droplets.post({ ...base, names: ['w1', 'w2', 'w3'], tags: ['web'] });
    await create('db');
    const web = await t.dots.v2.droplets.get({ queryParameters: { tagName: 'web' } });
    expect(web?.droplets?.map((d) => d.name)).toEqual(['w1', 'w2', 'w3']);
    const named = await t.dots.v2.droplets.get({ queryParameters: { name: 'db' } });
    expect(named?.droplets?.map((d) => d.name)).toEqual(['db']);

    const both = await failure(t.dots.v2.droplets.get({ queryParameters: { tagName: 'web', name: 'w1' } }));
    expect(both.responseStatusCode).toBe(422);
    expect(both.message).toMatch(/tag_name can not be combined with name/);

    const page = await t.dots.v2.droplets.get({ queryParameters: { perPage: 2, page: 2 } });
    expect(page?.droplets?.map((d) => d.name)).toEqual(['w3', 'db']);
    expect(page?.meta?.total).toBe(4);
  });

  it('deletes by id asynchronously: still listed with its status after the 204, then 404', async () => {
    const { droplet } = await create('short-lived', { tags: ['fleet'] });
    await t.advance(BOOT_MS);
    const deleted = await t.api('DELETE', `/v2/droplets/${droplet.id}`);
    expect(deleted.status).toBe(204);
    // As Terraform's provider expects: `active` (or `off`) until the droplet answers 404.
    expect((await get(droplet.id!)).status).toBe('active');
    const listed = await t.dots.v2.droplets.get({ queryParameters: { tagName: 'fleet' } });
    expect(listed?.droplets?.map((d) => d.id)).toEqual([droplet.id]);

    await t.advance(REALISTIC_TIMING.dropletDeleteMs - 1_000);
    expect((await get(droplet.id!)).status).toBe('active');
    await t.advance(1_000);
    expect((await failure(t.dots.v2.droplets.byDroplet_id(droplet.id!).get())).responseStatusCode).toBe(404);
    expect((await t.dots.v2.droplets.get())?.droplets).toEqual([]);
    expect((await failure(t.dots.v2.droplets.byDroplet_id(999).get())).message).toBe(
      'The resource you were accessing could not be found.',
    );
  });

  it('answers a second delete with 204 while the droplet is being deleted, and 404 once it is gone', async () => {
    const { droplet } = await create('twice');
    await t.advance(BOOT_MS);
    expect((await t.api('DELETE', `/v2/droplets/${droplet.id}`)).status).toBe(204);
    await t.advance(5_000);
    expect((await t.api('DELETE', `/v2/droplets/${droplet.id}`)).status).toBe(204);
    // The second request did not start the deletion over.
    await t.advance(REALISTIC_TIMING.dropletDeleteMs - 5_000);
    const gone = await t.api('DELETE', `/v2/droplets/${droplet.id}`);
    expect(gone.status).toBe(404);
    expect(await gone.json()).toMatchObject({ id: 'not_found' });
  });

  it('accepts actions on a droplet that is being deleted', async () => {
    const { droplet } = await create('going');
    await t.advance(BOOT_MS);
    await t.dots.v2.droplets.byDroplet_id(droplet.id!).delete();
    const action = await t.api('POST', `/v2/droplets/${droplet.id}/actions`, { type: 'power_off' });
    expect(action.status).toBe(201);
    await t.advance(REALISTIC_TIMING.dropletDeleteMs);
    expect((await failure(t.dots.v2.droplets.byDroplet_id(droplet.id!).get())).responseStatusCode).toBe(404);
  });

  it('deletes every droplet with a tag and only those', async () => {
    await t.dots.v2.droplets.post({ ...base, names: ['t1', 't2'], tags: ['doomed'] });
    await create('keeper', { tags: ['kept'] });
    await t.dots.v2.droplets.delete({ queryParameters: { tagName: 'doomed' } });
    const during = await t.dots.v2.droplets.get();
    expect(during?.droplets?.map((d) => d.name)).toEqual(['t1', 't2', 'keeper']);
    await t.advance(REALISTIC_TIMING.dropletDeleteMs);
    const left = await t.dots.v2.droplets.get();
    expect(left?.droplets?.map((d) => d.name)).toEqual(['keeper']);
    expect((await t.dots.v2.tags.byTag_id('doomed').get())?.tag?.resources?.count).toBe(0);
  });
});

describe('the droplet limit', () => {
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
    await t.admin('POST', '/_emulator/limits', { droplet_limit: DEFAULT_DROPLET_LIMIT });
  });

  const names = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${i + 1}`);
  const account = async () => (await t.dots.v2.account.get())?.account;

  it('shows a new account’s limit on GET /v2/account by default', async () => {
    expect((await account())?.dropletLimit).toBe(DEFAULT_DROPLET_LIMIT);
  });

  it('refuses a create that would exceed the limit with DigitalOcean’s 422, creating none of it', async () => {
    await t.dots.v2.droplets.post({ ...base, names: names('a', DEFAULT_DROPLET_LIMIT - 1) });
    for (const body of [
      { ...base, names: ['b-1', 'b-2'] },
      { ...base, name: 'c-1', tags: ['x'] },
    ]) {
      if ('name' in body) await t.dots.v2.droplets.post({ ...base, name: 'filler' });
      const refused = await t.api('POST', '/v2/droplets', body);
      expect(refused.status).toBe(422);
      expect(await refused.json()).toMatchObject({
        id: 'unprocessable_entity',
        message: 'creating this/these droplet(s) will exceed your droplet limit',
      });
    }
    expect((await t.dots.v2.droplets.get())?.meta?.total).toBe(DEFAULT_DROPLET_LIMIT);
  });

  it('does not count droplets that are being deleted', async () => {
    const made = (await t.dots.v2.droplets.post({ ...base, names: names('old', DEFAULT_DROPLET_LIMIT) })) as {
      droplets: { id: number }[];
    };
    await t.dots.v2.droplets.byDroplet_id(made.droplets[0]!.id).delete();
    expect((await t.dots.v2.droplets.get())?.meta?.total).toBe(DEFAULT_DROPLET_LIMIT);
    expect((await t.api('POST', '/v2/droplets', { ...base, name: 'new-1' })).status).toBe(202);
  });

  it('takes another limit through /_emulator/limits and refuses a bad one', async () => {
    expect(await t.admin('POST', '/_emulator/limits', { droplet_limit: 25 })).toEqual({ droplet_limit: 25 });
    expect((await account())?.dropletLimit).toBe(25);
    expect(await t.admin('GET', '/_emulator/limits')).toEqual({ droplet_limit: 25 });
    await t.dots.v2.droplets.post({ ...base, names: names('many', 10) });
    const bad = await t.fetch(`${t.emu.apiUrl}/_emulator/limits`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t.emu.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ droplet_limit: -1 }),
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({
      message: 'droplet_limit must be a whole number from 0 to 100000',
    });
    // The limit is the account's setting, not a resource: a reset keeps it.
    await t.admin('POST', '/_emulator/reset');
    expect((await account())?.dropletLimit).toBe(25);
  });

  it('takes the limit as an emulator option', async () => {
    const other = await startDropletEmulator({ checkSpec: false, dropletLimit: 60 });
    try {
      expect((await other.dots.v2.account.get())?.account?.dropletLimit).toBe(60);
    } finally {
      await other.stop();
    }
  });
});
