import type { HostRecords } from '../../core/services.js';
import type { TimingProfile } from '../../core/types.js';
import type { AppRecord, DomainCheck } from './model.js';
import type { AppSpec } from './spec-schema.js';
import { wentLive } from './timeline.js';

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
 * Whether DigitalOcean would find `host` pointing at the app: a CNAME to its default ingress in the
 * account's zone. App Platform writes the records itself for a domain whose `zone` is that zone.
 * A host in no zone of the account is served by DNS the emulator cannot see: it is taken to point
 * at the app (a guess, docs/fidelity.md apps.domain-external-dns), so real clients are not stopped.
 */
function pointsAtApp(ctx: DomainContext, app: AppRecord, domain: DomainSpec): boolean {
  const found = ctx.dns()?.lookup(domain.domain);
  if (!found) return true;
  if (domain.zone !== undefined && hostKey(domain.zone) === found.zone) return true;
  return found.records.some((r) => r.type === 'CNAME' && hostKey(r.data) === app.ingressHost);
}

function everLive(app: AppRecord, t: number): boolean {
  return app.deployments.some((d) => wentLive(d, t));
}

/**
 * The app's custom domains at `t`, derived like deployments but fed by DNS, which changes under
 * them: a domain stays PENDING until DigitalOcean sees its DNS point at the app (which has a default
 * ingress only once a deployment went live), is validated (`appDomainVerifyMs`), then CONFIGURING
 * while its certificate is issued (`appDomainCertMs`), then ACTIVE. DNS is read when the app is
 * read, as DigitalOcean polls it; a record that goes before validation sends the domain back to
 * PENDING. Once ACTIVE it stays so (DigitalOcean keeps serving the issued certificate).
 */
export function domainStates(ctx: DomainContext, app: AppRecord, t: number): DomainState[] {
  const domains = app.spec.domains ?? [];
  const wanted = new Set(domains.map((d) => hostKey(d.domain)));
  for (const host of app.domainChecks.keys()) if (!wanted.has(host)) app.domainChecks.delete(host);
  const live = everLive(app, t);
  return domains.map((spec) => {
    const host = hostKey(spec.domain);
    let check: DomainCheck | undefined = app.domainChecks.get(host);
    const validated = check !== undefined && t >= check.seenAt + check.verifyMs;
    if (!validated) {
      if (live && pointsAtApp(ctx, app, spec)) {
        check ??= { seenAt: t, verifyMs: ctx.timing.appDomainVerifyMs, certMs: ctx.timing.appDomainCertMs };
        app.domainChecks.set(host, check);
      } else {
        app.domainChecks.delete(host);
        check = undefined;
      }
    }
    if (!check) return { spec, phase: 'PENDING' };
    const activeAt = check.seenAt + check.verifyMs + check.certMs;
    const phase = t < check.seenAt + check.verifyMs ? 'PENDING' : t < activeAt ? 'CONFIGURING' : 'ACTIVE';
    return { spec, phase, activeAt };
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
