import type { DomainRecord } from './records.js';

/** DigitalOcean's name servers: every zone gets NS records for them and an SOA naming the first. */
export const NAME_SERVERS = ['ns1.digitalocean.com', 'ns2.digitalocean.com', 'ns3.digitalocean.com'];

// SOA timers DigitalOcean writes into every zone: refresh, retry, expire.
const SOA_TIMERS = '10800 3600 604800';

/**
 * The zone file DigitalOcean shows as a domain's `zone_file`: `$ORIGIN`, `$TTL`, the SOA (serial =
 * time of the last change, minimum = the SOA record's TTL), then every other record, fully qualified.
 */
export function zoneFile(zone: string, records: readonly DomainRecord[], serial: number): string {
  const soa = records.find((r) => r.type === 'SOA');
  const minimum = soa?.ttl ?? 1800;
  const lines = [
    `$ORIGIN ${zone}.`,
    `$TTL ${minimum}`,
    `${zone}. IN SOA ${NAME_SERVERS[0]}. hostmaster.${zone}. ${serial} ${SOA_TIMERS} ${minimum}`,
    ...records
      .filter((r) => r.type !== 'SOA')
      .map((r) => `${owner(r.name, zone)} ${r.ttl} IN ${r.type} ${rdata(r, zone)}`),
  ];
  return `${lines.join('\n')}\n`;
}

function owner(name: string, zone: string): string {
  return name === '@' ? `${zone}.` : `${name}.${zone}.`;
}

function rdata(r: DomainRecord, zone: string): string {
  const target = r.data === '@' ? `${zone}.` : `${r.data}.`;
  switch (r.type) {
    case 'CNAME':
    case 'NS':
      return target;
    case 'MX':
      return `${r.priority} ${target}`;
    case 'SRV':
      return `${r.priority} ${r.weight} ${r.port} ${target}`;
    case 'CAA':
      return `${r.flags} ${r.tag} "${r.tag === 'iodef' ? r.data : target.slice(0, -1)}"`;
    case 'TXT':
      return `"${r.data.replace(/["\\]/g, '\\$&')}"`;
    default:
      return r.data;
  }
}
