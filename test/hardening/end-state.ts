/**
 * The end state, read from the emulator's own state dump (no API call, no request log entry): what
 * a deployment owns, what merely looks like it, and the invariants every case asserts.
 */
import { expect } from 'vitest';
import { firewallName, OWNER_TAG, sshKeyName } from '../../lib/config/identity.js';
import { lockKeyPrefix, parseHolder } from '../../lib/lock/index.js';
import type { TestEmulator } from '../support/emulator.js';
import type { Attempt } from './harness.js';

export interface DropletView {
  id: number;
  name: string;
  status: string;
  size: string;
  tags: string[];
  ip: string | undefined;
}

export interface AppView {
  id: string;
  name: string;
  phases: string[];
}

export interface RecordView {
  type: string;
  name: string;
  data: string;
}

export interface Snapshot {
  slug: string;
  /** Droplets carrying the slug tag and OWNER_TAG. */
  owned: DropletView[];
  /** Droplets carrying the slug tag without OWNER_TAG: never to be touched. */
  lookalikes: DropletView[];
  /** Apps named exactly like the deployment. */
  apps: AppView[];
  firewalls: { id: string; name: string }[];
  sshKeys: { id: number; name: string }[];
  lockKeys: { id: number; name: string }[];
  /** Every record of the deployment's domain, DigitalOcean's SOA and NS included. */
  records: RecordView[];
  domainExists: boolean;
}

/** The deployments of the fixture manifest, with their domains. */
export const DOMAINS: Record<string, string | undefined> = {
  'base2-staging': 'staging.base2.example.com',
  'base2-droponly': 'droponly.base2.example.com',
  'base2-apponly': undefined,
};

interface StateDump {
  droplets: {
    droplets: {
      id: number;
      name: string;
      status: string;
      size_slug: string;
      tags: string[];
      networks: { v4: { type: string; ip_address: string }[] };
    }[];
  };
  apps: { id: string; name: string; deployments: { phase: string }[] }[];
  firewalls: { id: string; name: string }[];
  ssh_keys: { id: number; name: string }[];
  domains: Record<string, { type: string; name: string; data: string }[]>;
}

export async function snapshot(t: TestEmulator, slug: string): Promise<Snapshot> {
  const state = (await t.admin('GET', '/_emulator/state')) as StateDump;
  const droplets = state.droplets.droplets.map((d) => ({
    id: d.id,
    name: d.name,
    status: d.status,
    size: d.size_slug,
    tags: d.tags,
    ip: d.networks.v4.find((n) => n.type === 'public')?.ip_address,
  }));
  const tagged = droplets.filter((d) => d.tags.includes(slug));
  const domain = DOMAINS[slug];
  const records = domain === undefined ? undefined : state.domains[domain];
  return {
    slug,
    owned: tagged.filter((d) => d.tags.includes(OWNER_TAG)),
    lookalikes: tagged.filter((d) => !d.tags.includes(OWNER_TAG)),
    apps: state.apps
      .filter((a) => a.name === slug)
      .map((a) => ({ id: a.id, name: a.name, phases: a.deployments.map((d) => d.phase) })),
    firewalls: state.firewalls.filter((f) => f.name === firewallName(slug)),
    sshKeys: state.ssh_keys.filter((k) => k.name === sshKeyName(slug)),
    lockKeys: state.ssh_keys.filter((k) => k.name.startsWith(lockKeyPrefix(slug))),
    records: (records ?? []).map((r) => ({ type: r.type, name: r.name, data: r.data })),
    domainExists: records !== undefined,
  };
}

const duplicatesOf = (values: readonly string[]) => values.filter((v, i) => values.indexOf(v) !== i);

/** No two owned droplets share a name; at most one app, firewall and key; one record per value. */
export function expectNoDuplicates(s: Snapshot): void {
  expect(duplicatesOf(s.owned.map((d) => d.name)), `duplicate droplet names of ${s.slug}`).toEqual([]);
  expect(s.apps.length, `apps named ${s.slug}`).toBeLessThanOrEqual(1);
  expect(s.firewalls.length, `firewalls of ${s.slug}`).toBeLessThanOrEqual(1);
  expect(s.sshKeys.length, `ssh keys of ${s.slug}`).toBeLessThanOrEqual(1);
  expect(s.lockKeys.length, `lock keys of ${s.slug}`).toBeLessThanOrEqual(1);
  const records = s.records.map((r) => `${r.type} ${r.name} ${r.data}`);
  expect(duplicatesOf(records), `duplicate records of ${s.slug}`).toEqual([]);
}

/** Only droplets that existed before the attempt remain: a failed attempt leaves none of its own. */
export function expectNoOrphans(before: Snapshot, after: Snapshot): void {
  const known = new Set(before.owned.map((d) => d.id));
  const made = after.owned.filter((d) => !known.has(d.id)).map((d) => d.name);
  expect(made, `droplets a failed attempt left behind (${after.slug})`).toEqual([]);
}

/** Look-alikes (slug tag, no OWNER_TAG) are exactly as they were. */
export function expectLookalikesUntouched(before: Snapshot, after: Snapshot): void {
  const view = (s: Snapshot) => s.lookalikes.map((d) => `${d.id} ${d.name} ${d.size}`).sort();
  expect(view(after), `look-alikes of ${after.slug}`).toEqual(view(before));
}

/** The image the app's live URL serves now (the emulator reflects the active deployment). */
export async function liveImage(t: TestEmulator, s: Snapshot): Promise<string | undefined> {
  const app = s.apps[0];
  if (!app?.phases.includes('ACTIVE')) return undefined;
  const response = await t.fetch(`${t.emu.apiUrl}/_emulator/live/${app.id}/`);
  if (response.status !== 200) return undefined;
  return ((await response.json()) as { image: string }).image;
}

/** The generation part of `<slug>-<generation>-<n>` droplet names. */
export function generationsOf(s: Snapshot): string[] {
  const prefix = `${s.slug}-`;
  return [...new Set(s.owned.map((d) => d.name.slice(prefix.length).split('-')[0] ?? ''))].sort();
}

/**
 * Lock keys whose holder's lease has not run out at `now` (the tool's clock). A holder killed
 * mid-way leaves its key until someone takes over; a key still in its lease after an operation
 * returned means that operation did not let go.
 */
export function liveLocks(s: Snapshot, now: number): Snapshot['lockKeys'] {
  return s.lockKeys.filter((k) => (parseHolder(s.slug, k.name)?.until ?? Number.POSITIVE_INFINITY) > now);
}

/** The token an attempt's `in_progress` answer gave its next call, when it kept the lock. */
export function resumeOf(attempt: Attempt): string | undefined {
  return (attempt.report?.result as { resume?: string } | undefined)?.resume;
}

/**
 * The lock after an attempt of `op`: released, or, after an `in_progress` answer that kept it for
 * the next call, exactly one key naming `op`, paused, under the token the answer gave.
 */
export function expectLockAfter(s: Snapshot, op: string, attempt: Attempt): void {
  const token = resumeOf(attempt);
  if (attempt.report?.status !== 'in_progress' || token === undefined) {
    expect(s.lockKeys, 'the lock is released').toEqual([]);
    return;
  }
  expect(
    s.lockKeys.map((k) => parseHolder(s.slug, k.name)),
    'the lock kept for the next call',
  ).toEqual([expect.objectContaining({ op, holder: token, paused: true })]);
}

/** A droplet that answers: active, with an address. */
export const isServing = (d: DropletView) => d.status === 'active' && d.ip !== undefined;
