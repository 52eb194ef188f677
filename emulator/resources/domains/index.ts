import { isIPv4 } from 'node:net';
import { notFound, unprocessable } from '../../core/http-error.js';
import { paginate } from '../../core/paginate.js';
import type { DomainsService, HostRecords } from '../../core/services.js';
import type { EmuCore, EmulatorModule, EmuRequest } from '../../core/types.js';
import { HeldDomains, registerHeldRoutes } from './held.js';
import { fqdn, isDomainName } from './names.js';
import {
  DEFAULT_TTL,
  type DomainRecord,
  type RecordFields,
  recordFromCreate,
  recordFromUpdate,
} from './records.js';
import { NAME_SERVERS, zoneFile } from './zone-file.js';

interface Zone {
  name: string;
  /** Unix seconds of the last change: the SOA serial in the zone file. */
  serial: number;
  records: Map<number, DomainRecord>;
}

/**
 * Domains and their records (`/v2/domains`, `/v2/domains/:domain_name/records`). A new zone gets an
 * SOA record (data "1800") and NS records for ns1–ns3.digitalocean.com as DigitalOcean creates them,
 * plus an `@` A record when the create carries `ip_address`. Record names are stored relative to the
 * zone; the list's `name` filter takes the fully qualified name. Sets the `domains` service.
 */
export const domainsModule: EmulatorModule = {
  name: 'domains',
  register(core) {
    const zones = new Map<string, Zone>();
    const held = new HeldDomains();
    // When each record last changed (virtual ms): App Platform's domain validation starts from it.
    const changed = new Map<number, number>();
    const seconds = () => Math.floor(core.clock.now() / 1000);

    const addRecord = (zone: Zone, fields: RecordFields): DomainRecord => {
      const record = { id: core.ids.next('domain_record'), ...fields };
      zone.records.set(record.id, record);
      touch(zone, record.id);
      return record;
    };
    const touch = (zone: Zone, recordId?: number) => {
      zone.serial = Math.max(zone.serial + 1, seconds());
      if (recordId !== undefined) changed.set(recordId, core.clock.now());
    };
    const zoneOf = (req: EmuRequest): Zone => {
      const zone = zones.get((req.params.domain_name ?? '').toLowerCase());
      if (!zone) throw notFound();
      return zone;
    };
    const recordOf = (req: EmuRequest): [Zone, DomainRecord] => {
      const zone = zoneOf(req);
      const record = zone.records.get(Number(req.params.domain_record_id));
      if (!record) throw notFound();
      return [zone, record];
    };
    const domainJson = (zone: Zone, withZoneFile = true) => {
      const records = [...zone.records.values()];
      return {
        name: zone.name,
        ttl: records.find((r) => r.type === 'SOA')?.ttl ?? DEFAULT_TTL,
        zone_file: withZoneFile ? zoneFile(zone.name, records, zone.serial) : null,
      };
    };

    core.route('GET', '/v2/domains', (req) => {
      const all = [...zones.values()].sort((a, b) => a.name.localeCompare(b.name)).map((z) => domainJson(z));
      return { status: 200, body: paginate(req, core.baseUrl(), 'domains', all) };
    });

    core.route('POST', '/v2/domains', (req) => {
      const body = bodyOf(req);
      if (typeof body.name !== 'string' || body.name === '') throw unprocessable("Name can't be blank");
      const name = body.name.trim().toLowerCase().replace(/\.$/, '');
      if (!isDomainName(name)) throw unprocessable('Name is not a valid domain name (e.g. example.com)');
      // One account per zone across DigitalOcean: a name held elsewhere is refused like one held here.
      if (zones.has(name) || held.isHeld(name)) throw unprocessable(`domain '${name}': name already exists`);
      const ip = body.ip_address;
      if (ip !== undefined && ip !== null && ip !== '' && (typeof ip !== 'string' || !isIPv4(ip)))
        throw unprocessable('IP address did not match IPv4 format (e.g. 127.0.0.1).');
      const zone: Zone = { name, serial: seconds(), records: new Map() };
      zones.set(name, zone);
      for (const record of seedRecords(typeof ip === 'string' && ip !== '' ? ip : undefined))
        addRecord(zone, record);
      zone.serial = seconds();
      // DigitalOcean renders the zone file after the create returns, so the create answers it as null.
      return { status: 201, body: { domain: domainJson(zone, false) } };
    });

    core.route('GET', '/v2/domains/:domain_name', (req) => ({
      status: 200,
      body: { domain: domainJson(zoneOf(req)) },
    }));

    core.route('DELETE', '/v2/domains/:domain_name', (req) => {
      zones.delete(zoneOf(req).name);
      return { status: 204 };
    });

    registerRecordRoutes(core, { zoneOf, recordOf, addRecord, touch });

    registerHeldRoutes(core, held, (name) => zones.has(name));
    const domainsService: DomainsService = {
      exists: (name) => zones.has(name.toLowerCase()),
      lookup: (host) => lookupHost(zones, host, (id) => changed.get(id) ?? 0),
    };
    core.services.set('domains', domainsService);
    core.services.set('held-domains', held);
    core.state('domains', {
      dump: () => Object.fromEntries([...zones].map(([name, z]) => [name, [...z.records.values()]])),
      reset: () => {
        zones.clear();
        held.reset();
        changed.clear();
      },
    });
  },
};

interface RecordDeps {
  zoneOf(req: EmuRequest): Zone;
  recordOf(req: EmuRequest): [Zone, DomainRecord];
  addRecord(zone: Zone, fields: RecordFields): DomainRecord;
  touch(zone: Zone, recordId?: number): void;
}

function registerRecordRoutes(core: EmuCore, d: RecordDeps): void {
  const base = '/v2/domains/:domain_name/records';
  core.route('GET', base, (req) => {
    const zone = d.zoneOf(req);
    const name = req.query.get('name')?.trim().toLowerCase().replace(/\.$/, '');
    const type = req.query.get('type')?.toUpperCase();
    const matching = [...zone.records.values()].filter(
      (r) => (!name || fqdn(r.name, zone.name) === name) && (!type || r.type === type),
    );
    return { status: 200, body: paginate(req, core.baseUrl(), 'domain_records', matching) };
  });

  core.route('POST', base, (req) => {
    const zone = d.zoneOf(req);
    const fields = recordFromCreate(bodyOf(req), zone.name);
    checkCname(zone, fields);
    return { status: 201, body: { domain_record: d.addRecord(zone, fields) } };
  });

  core.route('GET', `${base}/:domain_record_id`, (req) => ({
    status: 200,
    body: { domain_record: d.recordOf(req)[1] },
  }));

  const update = (req: EmuRequest) => {
    const [zone, record] = d.recordOf(req);
    const fields = recordFromUpdate(record, bodyOf(req), zone.name);
    checkCname(zone, fields, record.id);
    Object.assign(record, fields);
    d.touch(zone, record.id);
    return { status: 200, body: { domain_record: record } };
  };
  core.route('PUT', `${base}/:domain_record_id`, update);
  core.route('PATCH', `${base}/:domain_record_id`, update);

  core.route('DELETE', `${base}/:domain_record_id`, (req) => {
    const [zone, record] = d.recordOf(req);
    if (record.type === 'SOA') throw unprocessable('SOA records cannot be deleted');
    zone.records.delete(record.id);
    d.touch(zone);
    return { status: 204 };
  });
}

/**
 * What DigitalOcean's nameservers answer for `host`: the records of the most specific zone that
 * holds it, at its own name, else at the wildcard one label up (`*.example.com` covers
 * `app.example.com` when that name has no records of its own).
 */
function lookupHost(
  zones: Map<string, Zone>,
  host: string,
  changedAt: (recordId: number) => number,
): HostRecords | undefined {
  const name = host.trim().toLowerCase().replace(/\.$/, '');
  const zone = [...zones.values()]
    .filter((z) => name === z.name || name.endsWith(`.${z.name}`))
    .sort((a, b) => b.name.length - a.name.length)[0];
  if (!zone) return undefined;
  const at = (owner: string) =>
    [...zone.records.values()]
      .filter((r) => fqdn(r.name, zone.name) === owner)
      .map((r) => ({ type: r.type, data: r.data === '@' ? zone.name : r.data, since: changedAt(r.id) }));
  const own = at(name);
  const parent = name.split('.').slice(1).join('.');
  const records = own.length > 0 || name === zone.name ? own : at(`*.${parent}`);
  return { zone: zone.name, records };
}

/** The records DigitalOcean puts in a new zone. */
function seedRecords(ip: string | undefined): RecordFields[] {
  const blank = { priority: null, port: null, weight: null, flags: null, tag: null, ttl: DEFAULT_TTL };
  return [
    { ...blank, type: 'SOA', name: '@', data: String(DEFAULT_TTL) },
    ...NAME_SERVERS.map((ns) => ({ ...blank, type: 'NS' as const, name: '@', data: ns })),
    ...(ip ? [{ ...blank, type: 'A' as const, name: '@', data: ip }] : []),
  ];
}

/**
 * A CNAME owns its name alone (RFC 1034): no other record may share it, and it may not join others.
 * DigitalOcean's two texts, one for each way round (kubernetes-sigs/external-dns#4802, #4495).
 */
function checkCname(zone: Zone, fields: RecordFields, selfId?: number): void {
  const others = [...zone.records.values()].filter((r) => r.name === fields.name && r.id !== selfId);
  if (others.length === 0) return;
  if (fields.type === 'CNAME') throw unprocessable('CNAME records cannot share a name with other records');
  if (others.some((r) => r.type === 'CNAME'))
    throw unprocessable('records cannot share a name with a CNAME record');
}

function bodyOf(req: EmuRequest): Record<string, unknown> {
  const body = req.body;
  return body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
}
