import { badRequest } from '../../core/http-error.js';
import { integers, isObject, isTagName, MAX_RULES, parseRules, type Rule, strings } from './rules.js';

/** What a create or a PUT (which replaces the whole firewall) describes. */
export interface FirewallSpec {
  name: string;
  inbound: Rule[];
  outbound: Rule[];
  dropletIds: number[];
  tags: string[];
}

// DigitalOcean's documented limits: tag the droplets when more than 10 need the same firewall.
export const MAX_DROPLETS = 10;
export const MAX_TAGS = 5;
const NAME = /^[a-zA-Z0-9][a-zA-Z0-9.-]+$/;

/** Validates a create/PUT body (400 `bad_request` with DigitalOcean's wording where it is known). */
export function parseFirewall(body: unknown): FirewallSpec {
  const b = isObject(body) ? body : {};
  if (b.name === undefined || b.name === null || b.name === '') throw badRequest('missing name');
  if (typeof b.name !== 'string' || b.name.length > 255 || !NAME.test(b.name))
    throw badRequest(
      'name must begin with a letter or number and contain only letters, numbers, periods (.) and dashes (-)',
    );
  const inbound = parseRules(b.inbound_rules, 'inbound');
  const outbound = parseRules(b.outbound_rules, 'outbound');
  if (inbound.length + outbound.length === 0)
    throw badRequest('must specify at least one inbound or outbound rule');
  checkRuleCount(inbound.length + outbound.length);
  const dropletIds = integers(b.droplet_ids, 'droplet_ids');
  checkDropletCount(dropletIds.length);
  const tags = tagList(b.tags, 'tags');
  checkTagCount(tags.length);
  return { name: b.name, inbound, outbound, dropletIds, tags };
}

export function tagList(value: unknown, path: string): string[] {
  const tags = strings(value, path);
  for (const tag of tags) if (!isTagName(tag)) throw badRequest(`invalid tag name: ${tag}`);
  return tags;
}

export function checkRuleCount(count: number): void {
  if (count > MAX_RULES)
    throw badRequest(`a firewall can have at most ${MAX_RULES} inbound and outbound rules in total`);
}

export function checkDropletCount(count: number): void {
  if (count > MAX_DROPLETS)
    throw badRequest(
      `a firewall can be applied to at most ${MAX_DROPLETS} droplets; tag them and add the tag instead`,
    );
}

export function checkTagCount(count: number): void {
  if (count > MAX_TAGS) throw badRequest(`a firewall can be applied to at most ${MAX_TAGS} tags`);
}
