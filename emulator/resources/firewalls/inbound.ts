/**
 * Cloud firewalls applied to traffic: a droplet covered by firewalls (by id, or by one of its
 * tags) accepts a TCP connection only when an inbound rule of one of them allows its port from
 * the caller's address; anything else is dropped, so the caller sees no answer at all. Rules
 * match port numbers literally: the emulator's SSH and HTTP ports (`DO_SSH_PORT`, `DO_HTTP_PORT`)
 * are the ports a rule must name. Sources other than addresses (tags, droplets, load balancers,
 * Kubernetes clusters) are other machines of the account, never the caller.
 */
import { BlockList, isIP } from 'node:net';
import type { Rule } from './rules.js';

/** Set as `services.set('firewalls', …)`; the droplet hosts ask it at connection time. */
export interface FirewallsGate {
  admits(droplet: { id: number; tags: readonly string[] }, port: number, source: string): boolean;
}

export interface AppliedFirewall {
  dropletIds: readonly number[];
  tags: readonly string[];
  inbound: readonly Rule[];
}

/** Pure: whether the firewalls among `firewalls` that cover `droplet` let `source` in on TCP `port`. */
export function admits(
  firewalls: readonly AppliedFirewall[],
  droplet: { id: number; tags: readonly string[] },
  port: number,
  source: string,
): boolean {
  const covering = firewalls.filter(
    (fw) => fw.dropletIds.includes(droplet.id) || fw.tags.some((t) => droplet.tags.includes(t)),
  );
  if (covering.length === 0) return true;
  const from = plainAddress(source);
  return covering.some((fw) => fw.inbound.some((rule) => ruleAdmits(rule, port, from)));
}

export function ruleAdmits(rule: Rule, port: number, source: string): boolean {
  return (
    rule.protocol === 'tcp' &&
    portMatches(rule.ports, port) &&
    rule.target.addresses.some((cidr) => inCidr(source, cidr))
  );
}

/** `"0"` is every port; otherwise a port or a `low-high` range. */
function portMatches(ports: string, port: number): boolean {
  if (ports === '0') return true;
  const [low, high = low] = ports.split('-').map(Number);
  return low !== undefined && high !== undefined && port >= low && port <= high;
}

/** An IPv4 client reaching an IPv6-capable socket shows as `::ffff:a.b.c.d`: it is IPv4. */
function plainAddress(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped ? mapped[1]! : address;
}

/** `::/0` covers IPv6 only (Node's BlockList would match IPv4 against it too). */
function inCidr(address: string, cidr: string): boolean {
  const [network = '', prefix] = cidr.split('/');
  const family = isIP(address);
  if (family === 0 || isIP(network) !== family) return false;
  const type = family === 4 ? 'ipv4' : 'ipv6';
  const list = new BlockList();
  if (prefix === undefined) list.addAddress(network, type);
  else list.addSubnet(network, Number(prefix), type);
  return list.check(address, type);
}
