import { isIP } from 'node:net';
import { badRequest } from '../../core/http-error.js';

export type Direction = 'inbound' | 'outbound';
export type Protocol = 'tcp' | 'udp' | 'icmp';

/** Where traffic may come from (inbound `sources`) or go to (outbound `destinations`). */
export interface Target {
  addresses: string[];
  droplet_ids: number[];
  load_balancer_uids: string[];
  kubernetes_ids: string[];
  tags: string[];
}

export interface Rule {
  protocol: Protocol;
  /** `"22"`, `"8000-9000"`, or `"0"` for every port (what DigitalOcean answers for "all" and ICMP). */
  ports: string;
  target: Target;
}

/** DigitalOcean's documented limits: 50 rules per firewall, 1000 entries per sources/destinations. */
export const MAX_RULES = 50;
const MAX_TARGET_ENTRIES = 1000;
const PROTOCOLS = new Set<Protocol>(['tcp', 'udp', 'icmp']);
const TAG_NAME = /^[a-zA-Z0-9_\-:]{1,255}$/;

export const targetKey = (direction: Direction) => (direction === 'inbound' ? 'sources' : 'destinations');

/** Parses `inbound_rules` or `outbound_rules` from a request body (absent or null: no rules). */
export function parseRules(value: unknown, direction: Direction): Rule[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw badRequest(`${direction}_rules must be an array`);
  return value.map((raw, i) => parseRule(raw, direction, `${direction}_rules[${i}]`));
}

function parseRule(raw: unknown, direction: Direction, path: string): Rule {
  if (!isObject(raw)) throw badRequest(`${path} must be an object`);
  const protocol = raw.protocol;
  if (!PROTOCOLS.has(protocol as Protocol))
    throw badRequest(`${path}: protocol must be one of tcp, udp, icmp`);
  const key = targetKey(direction);
  const target = parseTarget(raw[key], `${path}.${key}`);
  if (Object.values(target).every((list) => list.length === 0))
    throw badRequest(`${path}: ${direction} rules must specify at least one of ${key}`);
  return { protocol: protocol as Protocol, ports: ports(protocol as Protocol, raw.ports), target };
}

/**
 * A single port, a range, or every port (`"all"` or `"0"`, answered as `"0"`). ICMP has no ports:
 * DigitalOcean ignores what is sent and answers `"0"`.
 */
function ports(protocol: Protocol, value: unknown): string {
  if (protocol === 'icmp') return '0';
  const text = typeof value === 'number' ? String(value) : value;
  if (text === 'all' || text === '0') return '0';
  const match = typeof text === 'string' ? /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(text) : null;
  const from = Number(match?.[1]);
  const to = match?.[2] === undefined ? from : Number(match[2]);
  if (!match || from < 1 || to > 65535 || from > to)
    throw badRequest('you must specify a valid range for ports');
  return text as string;
}

function parseTarget(value: unknown, path: string): Target {
  if (value === undefined || value === null) return emptyTarget();
  if (!isObject(value)) throw badRequest(`${path} must be an object`);
  const target: Target = {
    addresses: strings(value.addresses, `${path}.addresses`),
    droplet_ids: integers(value.droplet_ids, `${path}.droplet_ids`),
    load_balancer_uids: strings(value.load_balancer_uids, `${path}.load_balancer_uids`),
    kubernetes_ids: strings(value.kubernetes_ids, `${path}.kubernetes_ids`),
    tags: strings(value.tags, `${path}.tags`),
  };
  for (const address of target.addresses)
    if (!isAddress(address)) throw badRequest(`invalid address: ${address}`);
  for (const tag of target.tags) if (!TAG_NAME.test(tag)) throw badRequest(`invalid tag name: ${tag}`);
  const entries = Object.values(target).reduce((n, list) => n + list.length, 0);
  if (entries > MAX_TARGET_ENTRIES)
    throw badRequest(`${path} can hold at most ${MAX_TARGET_ENTRIES} entries`);
  return target;
}

/** An IPv4 or IPv6 address, optionally in CIDR notation. */
function isAddress(text: string): boolean {
  const [ip, prefix, extra] = text.split('/');
  const family = isIP(ip ?? '');
  if (family === 0 || extra !== undefined) return false;
  if (prefix === undefined) return true;
  const bits = Number(prefix);
  return /^\d{1,3}$/.test(prefix) && bits <= (family === 4 ? 32 : 128);
}

export function isTagName(name: string): boolean {
  return TAG_NAME.test(name);
}

export function emptyTarget(): Target {
  return { addresses: [], droplet_ids: [], load_balancer_uids: [], kubernetes_ids: [], tags: [] };
}

/** A rule as DigitalOcean answers it: only the target lists that hold something. */
export function ruleJson(rule: Rule, direction: Direction): Record<string, unknown> {
  const target = Object.fromEntries(Object.entries(rule.target).filter(([, list]) => list.length > 0));
  return { protocol: rule.protocol, ports: rule.ports, [targetKey(direction)]: target };
}

/** Same protocol, ports and target entries (in any order): how a rule to remove is matched. */
export function sameRule(a: Rule, b: Rule): boolean {
  const norm = (t: Target) =>
    JSON.stringify(Object.entries(t).map(([k, list]) => [k, [...list].map(String).sort()]));
  return a.protocol === b.protocol && a.ports === b.ports && norm(a.target) === norm(b.target);
}

export function strings(value: unknown, path: string): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string'))
    throw badRequest(`${path} must be a list of strings`);
  return [...new Set(value as string[])];
}

export function integers(value: unknown, path: string): number[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || !value.every((v) => Number.isInteger(v)))
    throw badRequest(`${path} must be a list of integers`);
  return [...new Set(value as number[])];
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
