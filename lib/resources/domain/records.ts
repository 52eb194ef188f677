/**
 * DNS records between the manifest, DigitalOcean's API and comparison. Domains and records cannot
 * be tagged, so ownership is by definition: every record of a (name, type) the manifest lists is
 * the deployment's, and the domain itself is the tool's only when it carries the marker record.
 */
import { OWNER_TAG } from '../../config/identity.js';
import type { Deployment } from '../../config/manifest.js';
import type { DomainSection } from '../../config/manifest-schema.js';
import type { Facts } from '../types.js';

export type RecordType = DomainSection['records'][number]['type'];

/** DigitalOcean's TTL when none is given. */
export const DEFAULT_TTL = 1800;

/** A TXT record the tool writes into a domain it created, so teardown knows it may delete it. */
export const MARKER_NAME = '_base2-do';

export function markerValue(slug: string): string {
  return `${OWNER_TAG} ${slug}`;
}

/** (name, type): the unit of ownership. Names are relative to the domain, lowercase, `@` the apex. */
export interface RecordKey {
  type: string;
  name: string;
}

/** Every record of one managed (name, type), as it should be. */
export interface RecordSet extends RecordKey {
  type: RecordType;
  /** Canonical values (see `canonicalData`), sorted, without repeats. */
  values: string[];
  ttl: number;
}

/** A managed (name, type) whose values come from resources that do not exist yet. */
export interface PendingSet extends RecordKey {
  waitingFor: string;
}

export interface DomainDesired {
  domain: string;
  slug: string;
  /** The (name, type) pairs whose values are known now: planned and verified. */
  sets: RecordSet[];
  /** The pairs waiting for droplets or the app: no steps until the facts exist. */
  pending: PendingSet[];
}

/** A record as DigitalOcean lists it, data made canonical. */
export interface ExistingRecord extends RecordKey {
  id: number;
  /** Canonical, comparable with `RecordSet.values`. */
  data: string;
  ttl: number;
}

export const keyOf = (key: RecordKey) => `${key.type} ${key.name}`;
export const sameKey = (a: RecordKey, b: RecordKey) => a.type === b.type && a.name === b.name;

export function relativeName(name: string): string {
  return name.trim().toLowerCase();
}

/**
 * The comparable form of record data. DigitalOcean takes CNAME data with a trailing dot and answers
 * it without, and answers `@` for the domain itself; IPv6 compares without case; a TXT value may be
 * answered in quotes.
 */
export function canonicalData(type: string, data: string, domain: string): string {
  const text = data.trim();
  if (type === 'CNAME') {
    const host = text.toLowerCase().replace(/\.$/, '');
    return host === domain.toLowerCase() ? '@' : host;
  }
  if (type === 'AAAA') return text.toLowerCase();
  if (type === 'TXT' && text.length >= 2 && text.startsWith('"') && text.endsWith('"'))
    return text.slice(1, -1);
  return text;
}

/** Canonical → what a create or update sends: a CNAME target gets its trailing dot back. */
export function expandData(type: string, value: string): string {
  if (type === 'CNAME' && value !== '@') return `${value}.`;
  return value;
}

/** The app's host as given in facts, in case it arrives as a URL. */
function hostOf(appHost: string): string {
  return appHost.replace(/^[a-z]+:\/\//i, '').replace(/[/:].*$/, '');
}

type ManifestRecord = DomainSection['records'][number];

/** What a manifest record's target resolves to now, or what it is waiting for. */
function valuesOf(record: ManifestRecord, facts: Facts): string[] | { waitingFor: string } {
  if (record.target === 'droplets' && record.type === 'A') {
    return facts.dropletIpv4.length
      ? facts.dropletIpv4
      : { waitingFor: 'active droplets with public IPv4 addresses' };
  }
  if (record.target === 'droplets' && record.type === 'AAAA') {
    return facts.dropletIpv6?.length
      ? facts.dropletIpv6
      : { waitingFor: 'active droplets with public IPv6 addresses' };
  }
  if (record.target === 'app' && record.type === 'CNAME') {
    return facts.appHost ? [hostOf(facts.appHost)] : { waitingFor: "the app's default ingress host" };
  }
  return [record.target];
}

/**
 * The domain and its records as they should be, given what exists. Records pointing at droplets or
 * the app are `pending` until those exist (facts empty): the orchestrator plans again once the
 * droplets are active and the app is live, and only then do those records get steps.
 */
export function desiredDomain(deployment: Deployment, facts: Facts): DomainDesired | undefined {
  const section = deployment.domain;
  if (!section) return undefined;
  const domain = section.name.toLowerCase();
  const sets = new Map<string, RecordSet>();
  const pending = new Map<string, PendingSet>();
  for (const record of section.records) {
    const key = { type: record.type, name: relativeName(record.name) };
    const values = valuesOf(record, facts);
    if (!Array.isArray(values)) {
      pending.set(keyOf(key), { ...key, waitingFor: values.waitingFor });
      continue;
    }
    const ttl = record.ttl ?? section.ttl ?? DEFAULT_TTL;
    const set = sets.get(keyOf(key)) ?? { ...key, values: [], ttl };
    set.values = [
      ...new Set([...set.values, ...values.map((v) => canonicalData(key.type, v, domain))]),
    ].sort();
    // One TTL per record set, as DNS wants: the shortest asked for.
    set.ttl = Math.min(set.ttl, ttl);
    sets.set(keyOf(key), set);
  }
  // A pair with a literal value and a pending one (unusual) waits for the pending part.
  for (const key of pending.keys()) sets.delete(key);
  return { domain, slug: deployment.slug, sets: [...sets.values()], pending: [...pending.values()] };
}

/** The (name, type) pairs the manifest manages, whatever their values: what teardown removes. */
export function managedKeys(deployment: Deployment): RecordKey[] {
  const keys = new Map<string, RecordKey>();
  for (const record of deployment.domain?.records ?? []) {
    const key = { type: record.type, name: relativeName(record.name) };
    keys.set(keyOf(key), key);
  }
  return [...keys.values()];
}
