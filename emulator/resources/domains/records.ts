import { isIPv4, isIPv6 } from 'node:net';
import { unprocessable } from '../../core/http-error.js';
import { hostData, relativeName } from './names.js';

export const RECORD_TYPES = ['A', 'AAAA', 'CAA', 'CNAME', 'MX', 'NS', 'SOA', 'SRV', 'TXT'] as const;
export type RecordType = (typeof RECORD_TYPES)[number];

/** A record as DigitalOcean answers it: attributes a type does not use are `null`. */
export interface DomainRecord {
  id: number;
  type: RecordType;
  name: string;
  data: string;
  priority: number | null;
  port: number | null;
  ttl: number;
  weight: number | null;
  flags: number | null;
  tag: string | null;
}

export type RecordFields = Omit<DomainRecord, 'id'>;

export const DEFAULT_TTL = 1800;
const MIN_TTL = 30;
/** A TTL is 32 bits with the top bit zero (RFC 2181 §8): no DNS server can serve a longer one. */
const MAX_TTL = 2 ** 31 - 1;
const CAA_TAGS = new Set(['issue', 'issuewild', 'iodef']);

export function isRecordType(value: unknown): value is RecordType {
  return typeof value === 'string' && (RECORD_TYPES as readonly string[]).includes(value);
}

/** Validates a create body into a record of its type, with DigitalOcean's messages (422). */
export function recordFromCreate(body: Record<string, unknown>, zone: string): RecordFields {
  const type = body.type;
  if (type === undefined || type === null || type === '') throw unprocessable("Type can't be blank");
  if (!isRecordType(type)) throw unprocessable(`Type must be one of ${RECORD_TYPES.join(', ')}`);
  if (type === 'SOA') throw unprocessable('SOA records are created with the domain and cannot be added');
  const name = present(body.name) ? body.name : type === 'MX' ? '@' : undefined;
  if (name === undefined) throw unprocessable("Name can't be blank");
  return build(type, { ...body, name }, zone);
}

/**
 * Applies an update (PUT or PATCH: DigitalOcean merges both) to a stored record. Fields left out
 * keep their stored values and the result is validated again, stored data included: like
 * DigitalOcean, a CNAME/MX/NS/SRV update that leaves `data` out fails with "Data needs to end with
 * a dot (.)", because the stored target has no trailing dot.
 */
export function recordFromUpdate(
  existing: DomainRecord,
  body: Record<string, unknown>,
  zone: string,
): RecordFields {
  if (present(body.type) && body.type !== existing.type) throw unprocessable('Type cannot be changed');
  if (existing.type === 'SOA') return { ...existing, ttl: ttl(body.ttl, existing.ttl) };
  const merged: Record<string, unknown> = { ...existing };
  for (const [key, value] of Object.entries(body)) if (present(value)) merged[key] = value;
  return build(existing.type, merged, zone);
}

function build(type: Exclude<RecordType, 'SOA'>, input: Record<string, unknown>, zone: string): RecordFields {
  if (typeof input.name !== 'string') throw unprocessable('Name must be a string');
  const name = relativeName(input.name, zone);
  if (!present(input.data)) throw unprocessable("Data can't be blank");
  if (typeof input.data !== 'string') throw unprocessable('Data must be a string');
  const raw = input.data;
  const base: RecordFields = {
    type,
    name,
    data: raw,
    priority: null,
    port: null,
    ttl: ttl(input.ttl, DEFAULT_TTL),
    weight: null,
    flags: null,
    tag: null,
  };
  switch (type) {
    case 'A':
      if (!isIPv4(raw)) throw unprocessable('IP address did not match IPv4 format (e.g. 127.0.0.1).');
      return base;
    case 'AAAA':
      if (!isIPv6(raw))
        throw unprocessable('IP address did not match IPv6 format (e.g. 2001:db8::ff00:42:8329).');
      return { ...base, data: raw.toLowerCase() };
    case 'CNAME':
    case 'NS':
      return { ...base, data: hostData(raw, zone) };
    case 'MX':
      return { ...base, data: hostData(raw, zone), priority: port16(input.priority, 'Priority') };
    case 'SRV':
      return {
        ...base,
        data: hostData(raw, zone),
        priority: port16(input.priority, 'Priority'),
        port: port16(input.port, 'Port'),
        weight: port16(input.weight, 'Weight'),
      };
    case 'TXT':
      if (raw.length === 0) throw unprocessable("Data can't be blank");
      return base;
    case 'CAA':
      return caa(base, input, zone);
  }
}

function caa(base: RecordFields, input: Record<string, unknown>, zone: string): RecordFields {
  const flags = integer(input.flags, 'Flags', 0, 255);
  const tag = input.tag;
  if (!present(tag)) throw unprocessable("Tag can't be blank");
  if (typeof tag !== 'string' || !CAA_TAGS.has(tag))
    throw unprocessable('Tag must be one of issue, issuewild, iodef');
  if (tag === 'iodef') {
    if (!/^(mailto:|https?:\/\/)\S+$/.test(base.data))
      throw unprocessable('Data must be a mailto: or http(s) URL for iodef');
    return { ...base, flags, tag };
  }
  return { ...base, data: hostData(base.data, zone), flags, tag };
}

function ttl(value: unknown, fallback: number): number {
  if (!present(value)) return fallback;
  if (!Number.isInteger(value)) throw unprocessable('Ttl is not a number');
  if ((value as number) < MIN_TTL) throw unprocessable(`Ttl must be greater than or equal to ${MIN_TTL}`);
  if ((value as number) > MAX_TTL) throw unprocessable(`Ttl must be less than or equal to ${MAX_TTL}`);
  return value as number;
}

function port16(value: unknown, field: string): number {
  return integer(value, field, 0, 65535);
}

function integer(value: unknown, field: string, min: number, max: number): number {
  if (!present(value)) throw unprocessable(`${field} can't be blank`);
  if (!Number.isInteger(value)) throw unprocessable(`${field} is not a number`);
  const n = value as number;
  if (n < min || n > max) throw unprocessable(`${field} must be between ${min} and ${max}`);
  return n;
}

function present(value: unknown): boolean {
  return value !== undefined && value !== null && value !== '';
}
