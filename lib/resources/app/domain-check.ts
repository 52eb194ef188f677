/**
 * Verifying an app through the host names deployment.yml points at it: App Platform serves a
 * custom domain only once it reports it ACTIVE (DNS seen pointing at the app, certificate issued),
 * so deploy waits for that (with progress, bounded by the deadline), then asks the app's ingress for
 * the live path under that host name.
 */
import { type AppHost, appHosts, hostKey } from '../../config/app-domains.js';
import type { AppSpec } from '../../config/app-spec.js';
import type { Deployment } from '../../config/manifest.js';
import { isToolError } from '../../errors.js';
import type { OpContext } from '../../ops/types.js';
import { listRecords } from '../domain/read.js';
import type { Check, Readiness } from '../types.js';
import { waitFor } from '../wait.js';
import { hostOf } from './host.js';
import { liveUrlOf, servedCheck } from './live-check.js';
import { findApp } from './read.js';
import type { AppDesired, AppState } from './types.js';

/** Pure: the hosts the manifest's records point at the app that the spec being verified lists. */
export function customHosts(deployment: Deployment, spec: AppSpec): AppHost[] {
  const listed = new Set((spec.domains ?? []).map((d) => hostKey(d.domain)));
  return appHosts(deployment.domain).filter(({ host }) => listed.has(host));
}

const PHASE_WORDS: Record<string, string> = {
  PENDING: 'waiting for DigitalOcean to see its DNS point at the app',
  CONFIGURING: 'DNS seen; its certificate is being issued',
};

/** Pure: are the app's domains for `hosts` ACTIVE? ERROR fails; anything else is still pending. */
export function domainsReadiness(app: AppState, hosts: readonly string[]): Readiness {
  const states = hosts.map((host) => ({ host, state: app.domains?.find((d) => d.domain === host) }));
  const missing = states.filter((s) => !s.state).map((s) => s.host);
  if (missing.length > 0) {
    return {
      state: 'failed',
      detail: `app ${app.name} does not list ${missing.join(', ')} among its domains: it was changed meanwhile. Run deploy again.`,
    };
  }
  const failed = states.filter((s) => s.state!.phase === 'ERROR');
  if (failed.length > 0) {
    return {
      state: 'failed',
      detail: failed
        .map(
          ({ host, state }) =>
            `App Platform could not set up ${host} (ERROR${state!.reason ? `: ${state!.reason}` : ''}): ` +
            `check that its CNAME points at ${hostOf(app.defaultIngress) ?? "the app's default ingress"} and ` +
            'that no CAA record of the domain forbids the certificate authority, then run deploy again',
        )
        .join('; '),
    };
  }
  const waiting = states.filter((s) => s.state!.phase !== 'ACTIVE');
  if (waiting.length === 0) return { state: 'ready' };
  return {
    state: 'pending',
    detail: waiting
      .map(({ host, state }) => `${host} ${state!.phase} (${PHASE_WORDS[state!.phase] ?? 'in progress'})`)
      .join('; '),
  };
}

/**
 * Why a domain is still not ACTIVE when the deadline comes, from the record the tool wrote: none,
 * one pointing elsewhere, or the right one, which DigitalOcean sees only once the zone is delegated
 * to its nameservers.
 */
async function stuckReason(ctx: OpContext, deployment: Deployment, app: AppState, host: string) {
  const zone = deployment.domain?.name.toLowerCase();
  const ingress = hostOf(app.defaultIngress);
  const target = ingress ?? "the app's default ingress";
  const again = 'deploy again continues the wait';
  if (!zone) return `${host} must have a CNAME to ${target}; ${again}`;
  try {
    const name = host === zone ? '@' : host.slice(0, -(zone.length + 1));
    const records = (await listRecords(ctx, zone, { name })) ?? [];
    const cname = records.find((r) => r.type === 'CNAME');
    if (!cname) return `${zone} has no CNAME for ${host}: run deploy again to write it, and ${again}`;
    if (ingress && cname.data !== ingress) {
      return `its CNAME points at ${cname.data}, not ${ingress}: run deploy again to point it at the app`;
    }
    return (
      `its CNAME to ${target} is in place, but DigitalOcean checks public DNS: if ${zone} is not delegated ` +
      'to ns1.digitalocean.com, ns2.digitalocean.com and ns3.digitalocean.com at its registrar, nobody ' +
      `sees the record; delegate it (DNS changes can take a while to spread), then ${again}`
    );
  } catch (error) {
    if (!isToolError(error)) throw error;
    return `its record could not be read (${error.message}); ${again}`;
  }
}

/**
 * The ingress a custom host is asked at: the live URL (the emulator's stands in for the default
 * ingress), unless the live URL is itself a custom domain (a PRIMARY one), then the default ingress.
 */
function ingressBase(app: AppState, hosts: readonly string[]): string | undefined {
  const live = hostOf(app.liveUrl);
  if (app.liveUrl && live && !hosts.includes(live)) return app.liveUrl;
  return app.defaultIngress;
}

/**
 * The live path under `host`, asked at the app's ingress. App Platform serves every app from one
 * shared edge, which picks the app by the TLS server name and the Host header; a custom domain's
 * CNAME only leads a resolver to the default ingress's addresses. Connecting to those addresses
 * (resolving the default ingress host ourselves) with TLS server name and Host set to the custom
 * host is therefore exactly the request a browser makes after following the CNAME — including the
 * certificate check for the custom name — without asking public DNS, which may not show a new
 * record for a TTL yet, or not at all until the zone is delegated.
 */
export async function hostCheck(
  ctx: OpContext,
  app: AppState,
  desired: AppDesired,
  host: string,
  hosts: readonly string[],
): Promise<Check> {
  const name = `${app.name} at ${host}`;
  const base = ingressBase(app, hosts);
  const live = base && liveUrlOf({ ...app, liveUrl: base }, desired.verify.path);
  const address = hostOf(base);
  if (!live || !address) return { kind: 'app', name, ok: false, detail: 'the app has no ingress yet' };
  const url = new URL(live);
  url.hostname = host;
  return servedCheck(ctx, app, desired, {
    name,
    url: url.href,
    fetch: ctx.api.https.requestVia(address),
    described: `GET ${url.href} (at the app's ingress ${address})`,
    unreachable:
      `GET ${url.href} at the app's ingress ${address} got no answer (App Platform reports the ` +
      'domain ACTIVE, so its certificate should be served: run deploy again, and check the domain in the control panel if this stays)',
  });
}

/**
 * Deploy waits for the domains of the hosts the records point at the app to be ACTIVE, then checks
 * each answers. Cut short by the deadline, the checks are `pending`: the next call continues.
 */
export async function verifyDomains(
  ctx: OpContext,
  deployment: Deployment,
  app: AppState,
  desired: AppDesired,
): Promise<Check[]> {
  const hosts = customHosts(deployment, desired.spec).map((h) => h.host);
  if (hosts.length === 0) return [];
  if (ctx.op !== 'deploy') {
    // Only deploy writes the records and waits for their domains; an edit changes neither, so it
    // checks the hosts already ACTIVE and leaves a domain still being set up to deploy.
    const active = hosts.filter((h) => app.domains?.find((d) => d.domain === h)?.phase === 'ACTIVE');
    return Promise.all(active.map((host) => hostCheck(ctx, app, desired, host, hosts)));
  }
  let latest = app;
  // DNS validation and the certificate are DigitalOcean's work: waiting for them is not tool time.
  const state = await waitFor(ctx, 'waiting for the app domains', async () => {
    latest = (await findApp(ctx, app.name)) ?? latest;
    return domainsReadiness(latest, hosts);
  });
  if (state.state === 'failed')
    return [{ kind: 'app', name: `${app.name} domains`, ok: false, detail: state.detail }];
  if (state.state === 'pending') {
    const waiting = hosts.filter((h) => latest.domains?.find((d) => d.domain === h)?.phase !== 'ACTIVE');
    return Promise.all(
      waiting.map(async (host): Promise<Check> => {
        const phase = latest.domains?.find((d) => d.domain === host)?.phase ?? 'UNKNOWN';
        const why = await stuckReason(ctx, deployment, latest, host);
        return {
          kind: 'app',
          name: `${app.name} at ${host}`,
          ok: false,
          pending: true,
          detail: `App Platform reports the domain ${host} ${phase}, not yet ACTIVE: ${why}`,
        };
      }),
    );
  }
  return Promise.all(hosts.map((host) => hostCheck(ctx, latest, desired, host, hosts)));
}
