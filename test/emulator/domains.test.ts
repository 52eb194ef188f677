import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseCliArgs } from '../../emulator/cli.js';
import { accountModule } from '../../emulator/resources/account.js';
import { domainsModule } from '../../emulator/resources/domains/index.js';
import { startTestEmulator, type TestEmulator } from '../support/emulator.js';
import { ConformanceTracker, loadSpec } from '../support/openapi.js';

interface DotsError {
  status: number;
  id: string | undefined;
  message: string | undefined;
}

/** The error a dots call rejects with (dots throws plain objects carrying the status and body). */
async function failure(call: Promise<unknown>): Promise<DotsError> {
  try {
    await call;
  } catch (error) {
    const e = error as { responseStatusCode?: number; id?: string; messageEscaped?: string };
    return { status: e.responseStatusCode ?? 0, id: e.id, message: e.messageEscaped };
  }
  throw new Error('expected the call to fail');
}

const spec = loadSpec();

describe('domains and records', () => {
  let t: TestEmulator;
  let conformance: ConformanceTracker | undefined;

  beforeAll(async () => {
    conformance = spec.validator ? new ConformanceTracker(spec.validator) : undefined;
    const modules = [accountModule, domainsModule];
    t = await startTestEmulator({
      modules: conformance ? conformance.track(modules) : modules,
      onResponse: conformance?.record,
      heldDomains: ['Taken.Example.'],
    });
  });
  afterAll(async () => {
    expect(conformance?.failures ?? []).toEqual([]);
    await t?.stop();
  });
  beforeEach(async () => {
    await t.admin('POST', '/_emulator/reset');
  });

  const domain = (name = 'example.com') => t.dots.v2.domains.byDomain_name(name);
  const records = (name = 'example.com') => domain(name).records;
  const raw = async (path: string) => {
    const response = await t.fetch(`${t.emu.apiUrl}${path}`, {
      headers: { authorization: `Bearer ${t.emu.token}` },
    });
    return (await response.json()) as Record<string, unknown>;
  };

  it('creates a zone with SOA, the DigitalOcean name servers and an apex A record for ip_address', async () => {
    const created = await t.dots.v2.domains.post({ name: 'example.com', ipAddress: '203.0.113.10' });
    expect(created?.domain).toMatchObject({ name: 'example.com', ttl: 1800 });
    // DigitalOcean renders the zone file after answering the create.
    expect(created?.domain?.zoneFile ?? null).toBeNull();

    const list = await records().get();
    expect(list?.domainRecords?.map((r) => [r.type, r.name, r.data])).toEqual([
      ['SOA', '@', '1800'],
      ['NS', '@', 'ns1.digitalocean.com'],
      ['NS', '@', 'ns2.digitalocean.com'],
      ['NS', '@', 'ns3.digitalocean.com'],
      ['A', '@', '203.0.113.10'],
    ]);
    expect(list?.meta?.total).toBe(5);

    const zone = (await domain().get())?.domain?.zoneFile ?? '';
    expect(zone).toMatch(/^\$ORIGIN example\.com\.\n\$TTL 1800\n/);
    expect(zone).toMatch(
      /example\.com\. IN SOA ns1\.digitalocean\.com\. hostmaster\.example\.com\. \d+ 10800 3600 604800 1800/,
    );
    expect(zone).toContain('example.com. 1800 IN NS ns3.digitalocean.com.');
    expect(zone).toContain('example.com. 1800 IN A 203.0.113.10');
  });

  it('lists, gets and deletes domains; deleting a domain removes its records', async () => {
    await t.dots.v2.domains.post({ name: 'b.example' });
    await t.dots.v2.domains.post({ name: 'a.example' });
    const list = await t.dots.v2.domains.get();
    expect(list?.domains?.map((d) => d.name)).toEqual(['a.example', 'b.example']);
    expect(list?.meta?.total).toBe(2);
    expect((await domain('A.Example').get())?.domain?.name).toBe('a.example');

    await domain('a.example').delete();
    expect((await failure(domain('a.example').get())).status).toBe(404);
    expect((await failure(records('a.example').get())).status).toBe(404);
    await t.dots.v2.domains.post({ name: 'a.example' });
    expect((await records('a.example').get())?.meta?.total).toBe(4);
  });

  it('refuses a domain that already exists with 422 and an invalid name', async () => {
    await t.dots.v2.domains.post({ name: 'example.com' });
    expect(await failure(t.dots.v2.domains.post({ name: 'example.com' }))).toMatchObject({
      status: 422,
      id: 'unprocessable_entity',
      message: "domain 'example.com': name already exists",
    });
    for (const name of ['localhost', 'exa mple.com', '-bad.example.com', 'example.123']) {
      expect((await failure(t.dots.v2.domains.post({ name }))).status).toBe(422);
    }
    expect(
      (await failure(t.dots.v2.domains.post({ name: 'x.example', ipAddress: '999.1.1.1' }))).message,
    ).toMatch(/IPv4/);
  });

  it('filters records by fully qualified name and by type', async () => {
    await t.dots.v2.domains.post({ name: 'example.com' });
    await records().post({ type: 'A', name: 'www', data: '203.0.113.1' });
    await records().post({ type: 'AAAA', name: 'www', data: '2001:DB8::1' });
    await records().post({ type: 'TXT', name: 'www', data: 'hello' });
    await records().post({ type: 'A', name: 'api', data: '203.0.113.2' });

    const byName = await records().get({ queryParameters: { name: 'www.example.com' } });
    expect(byName?.domainRecords?.map((r) => r.type)).toEqual(['A', 'AAAA', 'TXT']);
    const both = await records().get({ queryParameters: { name: 'www.example.com', type: 'AAAA' } });
    expect(both?.domainRecords?.map((r) => r.data)).toEqual(['2001:db8::1']);
    const apexNs = await records().get({ queryParameters: { name: 'example.com', type: 'NS' } });
    expect(apexNs?.meta?.total).toBe(3);
    // The filter takes the full name: the bare label matches nothing.
    expect((await records().get({ queryParameters: { name: 'www' } }))?.meta?.total).toBe(0);
  });

  it('stores names relative to the zone and host data without the trailing dot', async () => {
    await t.dots.v2.domains.post({ name: 'example.com' });
    const blog = await records().post({ type: 'A', name: 'Blog.Example.com.', data: '203.0.113.5' });
    expect(blog?.domainRecord).toMatchObject({ name: 'blog', ttl: 1800 });
    const cname = await records().post({ type: 'CNAME', name: 'www', data: 'lb.example.net.' });
    expect(cname?.domainRecord?.data).toBe('lb.example.net');
    const mx = await records().post({ type: 'MX', data: 'example.com.', priority: 10 });
    expect(mx?.domainRecord).toMatchObject({ name: '@', data: '@', priority: 10 });
    const srv = await records().post({
      type: 'SRV',
      name: '_sip._tcp',
      data: 'sip.example.com.',
      priority: 10,
      weight: 0,
      port: 5060,
    });
    expect(srv?.domainRecord).toMatchObject({ data: 'sip.example.com', port: 5060, weight: 0 });
    const caa = await records().post({
      type: 'CAA',
      name: '@',
      data: 'letsencrypt.org.',
      flags: 0,
      tag: 'issue',
    });
    expect(caa?.domainRecord).toMatchObject({ data: 'letsencrypt.org', flags: 0, tag: 'issue' });

    // Attributes a type does not use come back as null, as DigitalOcean answers them.
    const rawRecord = (await raw(`/v2/domains/example.com/records/${cname?.domainRecord?.id}`)).domain_record;
    expect(rawRecord).toEqual({
      id: cname?.domainRecord?.id,
      type: 'CNAME',
      name: 'www',
      data: 'lb.example.net',
      priority: null,
      port: null,
      ttl: 1800,
      weight: null,
      flags: null,
      tag: null,
    });
    const zone = (await domain().get())?.domain?.zoneFile ?? '';
    expect(zone).toContain('_sip._tcp.example.com. 1800 IN SRV 10 0 5060 sip.example.com.');
    expect(zone).toContain('example.com. 1800 IN CAA 0 issue "letsencrypt.org"');
  });

  it('validates records the way DigitalOcean does', async () => {
    await t.dots.v2.domains.post({ name: 'example.com' });
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ type: 'A', name: 'www', data: 'not-an-ip' }, /IPv4 format/],
      [{ type: 'AAAA', name: 'www', data: '10.0.0.1' }, /IPv6 format/],
      [{ type: 'CNAME', name: 'www', data: 'target.example.net' }, /^Data needs to end with a dot \(\.\)$/],
      [{ type: 'A', name: 'www' }, /^Data can't be blank$/],
      [{ type: 'A', data: '203.0.113.1' }, /^Name can't be blank$/],
      [{ type: 'MX', name: '@', data: 'mail.example.com.' }, /^Priority can't be blank$/],
      [
        { type: 'SRV', name: '_x._tcp', data: 'x.example.com.', priority: 1, weight: 1 },
        /^Port can't be blank$/,
      ],
      [
        { type: 'SRV', name: '_x._tcp', data: 'x.example.com.', priority: 1, port: 70000, weight: 1 },
        /Port must be/,
      ],
      [{ type: 'CAA', name: '@', data: 'letsencrypt.org.', flags: 0 }, /^Tag can't be blank$/],
      [{ type: 'CAA', name: '@', data: 'letsencrypt.org.', tag: 'issue' }, /^Flags can't be blank$/],
      [{ type: 'CAA', name: '@', data: 'letsencrypt.org.', flags: 0, tag: 'bogus' }, /Tag must be/],
      [{ type: 'A', name: 'www', data: '203.0.113.1', ttl: 29 }, /greater than or equal to 30/],
      [{ type: 'A', name: 'www.other.org.', data: '203.0.113.1' }, /zone/],
      [{ type: 'SOA', name: '@', data: '1800' }, /SOA/],
    ];
    for (const [body, message] of cases) {
      const error = await failure(records().post(body as never));
      expect({ body, status: error.status, message: error.message }).toEqual({
        body,
        status: 422,
        message: expect.stringMatching(message),
      });
    }
    expect(
      (await records().post({ type: 'A', name: 'min', data: '203.0.113.1', ttl: 30 }))?.domainRecord?.ttl,
    ).toBe(30);
    expect(
      (await failure(records('missing.example').post({ type: 'A', name: 'x', data: '1.1.1.1' }))).status,
    ).toBe(404);
  });

  it('keeps a CNAME alone at its name', async () => {
    await t.dots.v2.domains.post({ name: 'example.com' });
    await records().post({ type: 'A', name: 'www', data: '203.0.113.1' });
    expect(await failure(records().post({ type: 'CNAME', name: 'www', data: 'x.example.net.' }))).toEqual({
      status: 422,
      id: 'unprocessable_entity',
      message: 'CNAME records cannot share a name with other records',
    });
    await records().post({ type: 'CNAME', name: 'docs', data: 'x.example.net.' });
    expect(await failure(records().post({ type: 'TXT', name: 'docs', data: 'v=1' }))).toEqual({
      status: 422,
      id: 'unprocessable_entity',
      message: 'records cannot share a name with a CNAME record',
    });
  });

  it('refuses a domain another customer holds as if it existed, and cannot read it', async () => {
    // Held from the start (startEmulator's heldDomains), whatever case and trailing dot it was given in.
    expect(await t.admin('GET', '/_emulator/domains/held')).toEqual({ domains: ['taken.example'] });
    expect(await failure(t.dots.v2.domains.post({ name: 'taken.example' }))).toEqual({
      status: 422,
      id: 'unprocessable_entity',
      message: "domain 'taken.example': name already exists",
    });
    expect((await failure(domain('taken.example').get())).status).toBe(404);
    expect((await t.dots.v2.domains.get())?.domains ?? []).toEqual([]);

    // Held and released at run time; a reset goes back to the names held from the start.
    await t.admin('POST', '/_emulator/domains/held', { name: 'base2.example.org' });
    expect((await failure(t.dots.v2.domains.post({ name: 'base2.example.org' }))).status).toBe(422);
    await t.admin('DELETE', '/_emulator/domains/held/base2.example.org');
    await t.dots.v2.domains.post({ name: 'base2.example.org' });
    await expect(t.admin('POST', '/_emulator/domains/held', { name: 'base2.example.org' })).rejects.toThrow(
      /in this account/,
    );
    await expect(t.admin('POST', '/_emulator/domains/held', { name: 'not a domain' })).rejects.toThrow(
      /domain name/,
    );
    await t.admin('DELETE', '/_emulator/domains/held/taken.example');
    await t.admin('POST', '/_emulator/domains/held', { name: 'other.example' });
    await t.admin('POST', '/_emulator/reset');
    expect(await t.admin('GET', '/_emulator/domains/held')).toEqual({ domains: ['taken.example'] });
  });

  it('takes the domains other customers hold from npm run emulator --held-domain', () => {
    expect(parseCliArgs(['--held-domain', 'A.Example.org', '--held-domain=b.example.net.']).emulator).toEqual(
      {
        heldDomains: ['a.example.org', 'b.example.net'],
      },
    );
    expect(() => parseCliArgs(['--held-domain', 'localhost'])).toThrow(/--held-domain must be a domain name/);
  });

  it('updates records with PUT and PATCH, merging the fields left out', async () => {
    await t.dots.v2.domains.post({ name: 'example.com' });
    const a = (await records().post({ type: 'A', name: 'www', data: '203.0.113.1' }))?.domainRecord;
    const item = records().byDomain_record_id(a?.id ?? 0);
    expect((await item.patch({ ttl: 60 }))?.domainRecord).toMatchObject({
      name: 'www',
      data: '203.0.113.1',
      ttl: 60,
    });
    expect((await item.put({ type: 'A', name: 'web', data: '203.0.113.9' }))?.domainRecord).toMatchObject({
      name: 'web',
      data: '203.0.113.9',
      ttl: 60,
    });
    expect((await item.get())?.domainRecord?.name).toBe('web');
    expect((await failure(item.patch({ type: 'AAAA' }))).message).toBe('Type cannot be changed');
    expect((await failure(item.patch({ data: 'nope' }))).status).toBe(422);

    // DigitalOcean re-validates the stored (dot-less) target when an update leaves `data` out.
    const cname = (await records().post({ type: 'CNAME', name: 'docs', data: 'x.example.net.' }))
      ?.domainRecord;
    const cnameItem = records().byDomain_record_id(cname?.id ?? 0);
    expect((await failure(cnameItem.patch({ ttl: 300 }))).message).toBe('Data needs to end with a dot (.)');
    expect((await cnameItem.patch({ ttl: 300, data: 'x.example.net.' }))?.domainRecord?.ttl).toBe(300);
  });

  it('lets the SOA change only its TTL and never be deleted', async () => {
    await t.dots.v2.domains.post({ name: 'example.com' });
    const soa = (await records().get({ queryParameters: { type: 'SOA' } }))?.domainRecords?.[0];
    const item = records().byDomain_record_id(soa?.id ?? 0);
    expect((await item.patch({ ttl: 3600, data: 'ignored' }))?.domainRecord).toMatchObject({
      data: '1800',
      ttl: 3600,
    });
    expect((await domain().get())?.domain?.ttl).toBe(3600);
    expect((await failure(item.delete())).status).toBe(422);
  });

  it('deletes records and answers 404 for unknown ones', async () => {
    await t.dots.v2.domains.post({ name: 'example.com' });
    const a = (await records().post({ type: 'A', name: 'www', data: '203.0.113.1' }))?.domainRecord;
    await records()
      .byDomain_record_id(a?.id ?? 0)
      .delete();
    expect(
      (
        await failure(
          records()
            .byDomain_record_id(a?.id ?? 0)
            .get(),
        )
      ).status,
    ).toBe(404);
    expect((await failure(records().byDomain_record_id(1).delete())).status).toBe(404);
    expect((await records().get())?.meta?.total).toBe(4);
  });

  it('paginates the record list', async () => {
    await t.dots.v2.domains.post({ name: 'example.com' });
    for (let i = 0; i < 21; i++) await records().post({ type: 'TXT', name: `n${i}`, data: `value ${i}` });
    const first = await records().get({ queryParameters: { perPage: 10 } });
    expect(first?.domainRecords).toHaveLength(10);
    expect(first?.meta?.total).toBe(25);
    // dots reads `pages` as its backward-links member, so `next` lands in its additional data.
    expect(JSON.stringify(first?.links?.pages)).toMatch(/"next":"[^"]*page=2/);
    const last = await records().get({ queryParameters: { perPage: 10, page: 3 } });
    expect(last?.domainRecords?.map((r) => r.name)).toEqual(['n16', 'n17', 'n18', 'n19', 'n20']);
  });

  it('shows its zones in the emulator state and empties them on reset', async () => {
    await t.dots.v2.domains.post({ name: 'example.com' });
    const state = async () =>
      ((await t.admin('GET', '/_emulator/state')) as { domains: Record<string, unknown[]> }).domains;
    expect(Object.keys(await state())).toEqual(['example.com']);
    await t.admin('POST', '/_emulator/reset');
    expect(await state()).toEqual({});
  });
});
