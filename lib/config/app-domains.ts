/**
 * App Platform serves an app only at its default ingress and at the domains its spec lists, so a
 * DNS record of deployment.yml that points at the app (`target: app`) also puts its host name in the
 * app spec's `domains`. The tool writes that record itself, so the domain it adds has no `zone`:
 * with one, App Platform would manage the zone's records for it as well.
 */
import type { Problem } from '../errors.js';
import type { AppSpec } from './app-spec.js';
import type { DomainSection } from './manifest-schema.js';

type AppDomain = NonNullable<AppSpec['domains']>[number];

/** A host name a record of deployment.yml points at the app, and which record (its index). */
export interface AppHost {
  host: string;
  record: number;
}

/** Pure: `App.Example.com.` → `app.example.com`, the form domains are compared in. */
export function hostKey(host: string): string {
  return host.trim().toLowerCase().replace(/\.$/, '');
}

/** App Platform's pattern for a domain (spec:apps_create, app_domain_spec.domain). */
const APP_DOMAIN = /^((xn--)?[a-zA-Z0-9]+(-[a-zA-Z0-9]+)*\.)+[a-zA-Z]{2,}\.?$/;

function isWildcard(name: string): boolean {
  return name === '*' || name.startsWith('*.');
}

/** Pure: the host names deployment.yml points at the app (wildcard records left out: see the problems). */
export function appHosts(domain: DomainSection | undefined): AppHost[] {
  if (!domain) return [];
  const hosts: AppHost[] = [];
  domain.records.forEach((record, index) => {
    if (record.target !== 'app' || record.type !== 'CNAME' || isWildcard(record.name)) return;
    const host = hostKey(record.name === '@' ? domain.name : `${record.name}.${domain.name}`);
    if (!hosts.some((h) => h.host === host)) hosts.push({ host, record: index });
  });
  return hosts;
}

/** What prevents adding the records' host names to the app spec, with paths in the manifest. */
export function appDomainProblems(
  spec: AppSpec,
  domain: DomainSection | undefined,
  specFile: string,
): Problem[] {
  if (!domain) return [];
  const problems: Problem[] = [];
  domain.records.forEach((record, index) => {
    if (record.target === 'app' && record.type === 'CNAME' && isWildcard(record.name)) {
      problems.push({
        path: `domain.records.${index}.name`,
        message:
          `a wildcard record cannot point at the app: App Platform validates a wildcard domain with ` +
          `TXT records of its own; list it in ${specFile} under domains (wildcard: true) and point its ` +
          'DNS there yourself',
      });
    }
  });
  for (const { host, record } of appHosts(domain)) {
    if (!APP_DOMAIN.test(host) || host.length > 253) {
      problems.push({
        path: `domain.records.${record}.name`,
        message: `points ${host} at the app, but App Platform takes only letters, digits and inner dashes in a domain's labels`,
      });
    }
    const declared = spec.domains?.find((d) => hostKey(d.domain) === host);
    if (declared?.zone !== undefined) {
      problems.push({
        path: `domain.records.${record}`,
        message:
          `points ${host} at the app, which ${specFile} lists with zone ${declared.zone}: with a zone App ` +
          'Platform writes the DNS records itself, and so does this tool for its records; remove the zone ' +
          'from the spec (the tool adds the domain for you) or the record from deployment.yml',
      });
    }
  }
  return problems;
}

/**
 * Pure: the spec's domains plus one ALIAS per host name the records point at the app, those the
 * spec already lists kept as written (so a PRIMARY chosen there stays PRIMARY). ALIAS, not
 * PRIMARY: a primary domain becomes the app's live URL and `${APP_URL}`, which would then depend on
 * public DNS and the domain's certificate; the default ingress keeps serving either way.
 */
export function withAppDomains(spec: AppSpec, hosts: readonly AppHost[]): AppSpec {
  const listed = spec.domains ?? [];
  const added: AppDomain[] = hosts
    .filter(({ host }) => !listed.some((d) => hostKey(d.domain) === host))
    .map(({ host }) => ({ domain: host, type: 'ALIAS' }));
  return added.length === 0 ? spec : { ...spec, domains: [...listed, ...added] };
}
