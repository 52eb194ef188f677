/**
 * Firewall rules between the manifest, DigitalOcean's API and comparison (Terraform-provider style
 * expand/flatten). Both sides are brought to one canonical form before they are compared, because
 * DigitalOcean answers "all" ports as "0", ICMP ports as "0", adds empty target lists and keeps
 * lists in its own order: none of which is a change.
 */
import type {
  Firewall,
  Firewall_rule_target,
  Firewall_rules_inbound_rules,
  Firewall_rules_outbound_rules,
} from '@digitalocean/dots';
import type { InboundRule, OutboundRule } from '../../config/manifest-schema.js';

export type Protocol = 'tcp' | 'udp' | 'icmp';

/** Where traffic comes from (inbound) or goes to (outbound); every list sorted, without repeats. */
export interface NormalTarget {
  addresses: string[];
  tags: string[];
  dropletIds: number[];
  loadBalancerUids: string[];
  kubernetesIds: string[];
}

export interface NormalRule {
  protocol: Protocol;
  /** `all`, a port (`22`) or a range (`8000-9000`); always `all` for ICMP, which has no ports. */
  ports: string;
  target: NormalTarget;
}

/** A whole firewall in canonical form: what the plan compares and what a create or PUT sends. */
export interface NormalFirewall {
  name: string;
  /** Droplets carrying any of these tags are behind the firewall. */
  tags: string[];
  /** Droplets added by id (ours apply by tag only, so desired is empty). */
  dropletIds: number[];
  inbound: NormalRule[];
  outbound: NormalRule[];
}

const ALL_PORTS = 'all';
/** What DigitalOcean's spec says to send, and what it answers, for every port (and for ICMP). */
const API_ALL_PORTS = '0';

const sorted = <T extends string | number>(values: readonly T[] | null | undefined): T[] =>
  [...new Set(values ?? [])].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

/** `0`, `all`, `1-65535` and a missing value all mean every port; `80-80` is port 80. */
export function normalPorts(protocol: Protocol, ports: string | null | undefined): string {
  if (protocol === 'icmp') return ALL_PORTS;
  const text = (ports ?? '').trim().toLowerCase();
  if (text === '' || text === API_ALL_PORTS || text === ALL_PORTS || text === '1-65535') return ALL_PORTS;
  const [low, high, ...rest] = text.split('-');
  if (rest.length === 0 && high !== undefined && low === high) return low ?? text;
  return text;
}

/** Addresses compare without case (IPv6) and a host is the same as its /32 or /128. */
function normalAddress(address: string): string {
  const text = address.trim().toLowerCase();
  if (text.endsWith('/32') && !text.includes(':')) return text.slice(0, -3);
  if (text.endsWith('/128') && text.includes(':')) return text.slice(0, -4);
  return text;
}

export function normalTarget(target: Partial<Firewall_rule_target> | null | undefined): NormalTarget {
  return {
    addresses: sorted((target?.addresses ?? []).map(normalAddress)),
    tags: sorted(target?.tags),
    dropletIds: sorted(target?.dropletIds),
    loadBalancerUids: sorted(target?.loadBalancerUids),
    kubernetesIds: sorted(target?.kubernetesIds),
  };
}

export function ruleKey(rule: NormalRule): string {
  return JSON.stringify([rule.protocol, rule.ports, rule.target]);
}

/** Rules as a set: sorted by their key, repeats dropped (a repeated rule allows nothing more). */
function ruleSet(rules: NormalRule[]): NormalRule[] {
  const byKey = new Map(rules.map((rule) => [ruleKey(rule), rule]));
  return [...byKey.keys()].sort().map((key) => byKey.get(key)!);
}

function manifestRule(rule: InboundRule | OutboundRule, target: InboundRule['sources']): NormalRule {
  return {
    protocol: rule.protocol,
    ports: normalPorts(rule.protocol, rule.ports),
    target: normalTarget({ addresses: target.addresses ?? [], tags: target.tags ?? [] }),
  };
}

/** The manifest's firewall section, as the firewall this deployment wants. */
export function firewallFromManifest(
  name: string,
  tags: string[],
  section: { inbound: InboundRule[]; outbound: OutboundRule[] },
): NormalFirewall {
  return {
    name,
    tags: sorted(tags),
    dropletIds: [],
    inbound: ruleSet(section.inbound.map((rule) => manifestRule(rule, rule.sources))),
    outbound: ruleSet(section.outbound.map((rule) => manifestRule(rule, rule.destinations))),
  };
}

type ApiRule = Firewall_rules_inbound_rules | Firewall_rules_outbound_rules;

function flattenRule(rule: ApiRule, target: Firewall_rule_target | null | undefined): NormalRule {
  const protocol = (rule.protocol ?? 'tcp') as Protocol;
  return { protocol, ports: normalPorts(protocol, rule.ports), target: normalTarget(target) };
}

/** DigitalOcean's answer (dots model) → canonical form. */
export function flattenFirewall(firewall: Firewall): NormalFirewall {
  return {
    name: firewall.name ?? '',
    tags: sorted(firewall.tags),
    dropletIds: sorted(firewall.dropletIds),
    inbound: ruleSet((firewall.inboundRules ?? []).map((rule) => flattenRule(rule, rule.sources))),
    outbound: ruleSet((firewall.outboundRules ?? []).map((rule) => flattenRule(rule, rule.destinations))),
  };
}

/** Only the lists that hold something: DigitalOcean refuses a target with none at all. */
function expandTarget(target: NormalTarget): Firewall_rule_target {
  const expanded: Firewall_rule_target = {};
  if (target.addresses.length) expanded.addresses = target.addresses;
  if (target.tags.length) expanded.tags = target.tags;
  if (target.dropletIds.length) expanded.dropletIds = target.dropletIds;
  if (target.loadBalancerUids.length) expanded.loadBalancerUids = target.loadBalancerUids;
  if (target.kubernetesIds.length) expanded.kubernetesIds = target.kubernetesIds;
  return expanded;
}

const apiPorts = (rule: NormalRule) => (rule.ports === ALL_PORTS ? API_ALL_PORTS : rule.ports);

/**
 * Canonical form → the create/PUT body (dots model). A PUT replaces the whole firewall, so the body
 * always carries everything: name, rules, tags and (empty) droplet ids.
 */
export function expandFirewall(firewall: NormalFirewall): Firewall {
  return {
    name: firewall.name,
    tags: firewall.tags,
    dropletIds: firewall.dropletIds,
    inboundRules: firewall.inbound.map((rule) => ({
      protocol: rule.protocol,
      ports: apiPorts(rule),
      sources: expandTarget(rule.target),
    })),
    outboundRules: firewall.outbound.map((rule) => ({
      protocol: rule.protocol,
      ports: apiPorts(rule),
      destinations: expandTarget(rule.target),
    })),
  };
}

/** `tcp 22 ← 0.0.0.0/0, ::/0`: a rule as a person reads it in a plan's reason. */
export function describeRule(rule: NormalRule, direction: 'inbound' | 'outbound'): string {
  const t = rule.target;
  const parts = [
    ...t.addresses,
    ...t.tags.map((tag) => `tag:${tag}`),
    ...t.dropletIds.map((id) => `droplet:${id}`),
    ...t.loadBalancerUids.map((id) => `lb:${id}`),
    ...t.kubernetesIds.map((id) => `k8s:${id}`),
  ];
  const ports = rule.protocol === 'icmp' ? '' : ` ${rule.ports}`;
  return `${rule.protocol}${ports} ${direction === 'inbound' ? '←' : '→'} ${parts.join(', ')}`;
}
