import type { HostRecords } from '../../core/services.js';
import type { TimingProfile } from '../../core/types.js';
import type { AppRecord, DomainCheck } from './model.js';
import type { AppSpec } from './spec-schema.js';
import { liveAt, wentLive } from './timeline.js';

type DomainSpec = NonNullable<AppSpec['domains']>[number];

/** The account's DNS as the domains module serves it (absent when the emulator runs without it). */
export interface DnsLookup {
  lookup(host: string): HostRecords | undefined;
}

export interface DomainContext {
  timing: TimingProfile;
  dns(): DnsLookup | undefined;
}

export type DomainPhase = 'PENDING' | 'CONFIGURING' | 'ACTIVE';

export interface DomainState {
  spec: DomainSpec;
  phase: DomainPhase;
  /** When the certificate was (or will be) issued, once DigitalOcean has seen the DNS point at the app. */
  activeAt?: number;
}

/** Let's Encrypt certificates, which App Platform's custom domains get, last 90 days. */
const CERTIFICATE_DAYS = 90;

export function hostKey(host: string): string {
  return host.trim().toLowerCase().replace(/\.$/, '');
}

/**
 * Since when DigitalOcean would find the domain pointing at the app, or undefined when it does not
 * now: a CNAME to its default ingress in the account's zone (since that record last changed). App
 * Platform writes the records itself for a domain whose `zone` is that zone. A host in no zone of
 * the account is served by DNS the emulator cannot see: it is taken to point at the app (a guess,
 * docs/fidelity.md apps.domain-external-dns), so real clients are not stopped.
 */
function pointedSince(ctx: DomainContext, app: AppRecord, domain: DomainSpec): number | undefined {
  const found = ctx.dns()?.lookup(domain.domain);
  if (!found) return Number.NEGATIVE_INFINITY;
  if (domain.zone !== undefined && hostKey(domain.zone) === found.zone) return Number.NEGATIVE_INFINITY;
  const cname = found.records.find((r) => r.type === 'CNAME' && hostKey(r.data) === app.ingressHost);
  return cname?.since;
}

/** When the app first went live (it has a default ingress from then on), if it has by `t`. */
function liveSince(app: AppRecord, t: number): number | undefined {
  const times = app.deployments.filter((d) => wentLive(d, t)).map((d) => liveAt(d)!);
  return times.length > 0 ? Math.min(...times) : undefined;
}

/** Since when the app's spec has listed `host`: the first deployment of the latest run that lists it. */
function listedSince(app: AppRecord, host: string): number {
  let since = app.updatedAt;
  for (let i = app.deployments.length - 1; i >= 0; i--) {
    const d = app.deployments[i]!;
    if (!(d.spec.domains ?? []).some((x) => hostKey(x.domain) === host)) break;
    since = d.createdAt;
  }
  return since;
}

function everLive(app: AppRecord, t: number): boolean {
  return liveSince(app, t) !== undefined;
}

/**
 * The app's custom domains at `t`, derived from the clock like deployments: a domain is PENDING
 * until DigitalOcean has seen, for `appDomainVerifyMs`, the app live (it has a default ingress only
 * then), the domain in its spec and its DNS pointing at the app; then CONFIGURING while its
 * certificate is issued (`appDomainCertMs`); then ACTIVE. DNS is what it is at `t`: a record moved
 * away before validation leaves the domain PENDING. Once validated the domain keeps its
 * certificate and stays so, whatever DNS does later (remembered from the first read that saw it).
 */
export function domainStates(ctx: DomainContext, app: AppRecord, t: number): DomainState[] {
  const domains = app.spec.domains ?? [];
  const wanted = new Set(domains.map((d) => hostKey(d.domain)));
  for (const host of app.domainChecks.keys()) if (!wanted.has(host)) app.domainChecks.delete(host);
  const live = liveSince(app, t);
  return domains.map((spec) => {
    const host = hostKey(spec.domain);
    let check: DomainCheck | undefined = app.domainChecks.get(host);
    if (!check && live !== undefined) {
      const pointed = pointedSince(ctx, app, spec);
      if (pointed !== undefined) {
        const validatedAt = Math.max(live, listedSince(app, host), pointed) + ctx.timing.appDomainVerifyMs;
        if (t >= validatedAt) {
          check = { validatedAt, certMs: ctx.timing.appDomainCertMs };
          app.domainChecks.set(host, check);
        }
      }
    }
    if (!check) return { spec, phase: 'PENDING' };
    const activeAt = check.validatedAt + check.certMs;
    return { spec, phase: t < activeAt ? 'CONFIGURING' : 'ACTIVE', activeAt };
  });
}

/** Pure: whether an ACTIVE domain serves `host` (a wildcard domain also serves its subdomains). */
function covers(state: DomainState, host: string): boolean {
  if (state.phase !== 'ACTIVE') return false;
  const name = hostKey(state.spec.domain);
  return host === name || (state.spec.wildcard === true && host.endsWith(`.${name}`));
}

/**
 * The app DigitalOcean's edge routes `host` to: the one whose default ingress it is (once live),
 * else the one with an ACTIVE domain for it, the first to have it if several claim it.
 */
export function appForHost(
  ctx: DomainContext,
  apps: readonly AppRecord[],
  host: string,
  t: number,
): AppRecord | undefined {
  const name = hostKey(host);
  const byIngress = apps.find((app) => app.ingressHost === name && everLive(app, t));
  if (byIngress) return byIngress;
  let best: { app: AppRecord; since: number } | undefined;
  for (const app of apps) {
    for (const state of domainStates(ctx, app, t)) {
      if (!covers(state, name)) continue;
      const since = state.activeAt ?? t;
      if (!best || since < best.since) best = { app, since };
    }
  }
  return best?.app;
}

/** The `domains` of an app as App Platform shows them. */
export function renderDomains(
  ctx: DomainContext,
  app: AppRecord,
  t: number,
  format: { idOf(host: string): string; iso(ms: number): string },
): Record<string, unknown>[] {
  return domainStates(ctx, app, t).map((state) => ({
    id: format.idOf(hostKey(state.spec.domain)),
    spec: state.spec,
    phase: state.phase,
    progress: { steps: [] },
    rotate_validation_records: false,
    ...(state.phase === 'ACTIVE' && state.activeAt !== undefined
      ? { certificate_expires_at: format.iso(state.activeAt + CERTIFICATE_DAYS * 86_400_000) }
      : {}),
  }));
}
