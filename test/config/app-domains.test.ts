import { describe, expect, it } from 'vitest';
import { appDomainProblems, appHosts, withAppDomains } from '../../lib/config/app-domains.js';
import type { AppSpec } from '../../lib/config/app-spec.js';
import { loadManifest, resolveDeployment } from '../../lib/config/manifest.js';
import type { DomainSection } from '../../lib/config/manifest-schema.js';
import { InputError } from '../../lib/errors.js';
import { thrown, writeManifest } from './temp-project.js';

const web = { name: 'web', image: { registry_type: 'DOCR' as const, repository: 'shop' } };
const spec = (domains?: AppSpec['domains']): AppSpec => ({
  services: [web],
  ...(domains ? { domains } : {}),
});

function section(records: DomainSection['records']): DomainSection {
  return { name: 'shop.example.org', records };
}

describe('host names the records point at the app', () => {
  it('takes every CNAME with target app, once, and nothing else', () => {
    const domain = section([
      { type: 'A', name: '@', target: 'droplets' },
      { type: 'CNAME', name: 'app', target: 'app' },
      { type: 'CNAME', name: 'docs', target: 'docs.example.net' },
      { type: 'CNAME', name: 'API.v2', target: 'app' },
      { type: 'TXT', name: 'app', target: 'app' },
      { type: 'CNAME', name: 'app', target: 'app', ttl: 60 },
    ]);
    expect(appHosts(domain)).toEqual([
      { host: 'app.shop.example.org', record: 1 },
      { host: 'api.v2.shop.example.org', record: 3 },
    ]);
    expect(appHosts(undefined)).toEqual([]);
  });

  it('adds each as an ALIAS without a zone, keeping a domain the spec already lists as written', () => {
    const hosts = [
      { host: 'app.shop.example.org', record: 0 },
      { host: 'www.shop.example.org', record: 1 },
    ];
    expect(withAppDomains(spec(), hosts).domains).toEqual([
      { domain: 'app.shop.example.org', type: 'ALIAS' },
      { domain: 'www.shop.example.org', type: 'ALIAS' },
    ]);
    const declared = spec([{ domain: 'WWW.shop.example.org.', type: 'PRIMARY' }]);
    expect(withAppDomains(declared, hosts).domains).toEqual([
      { domain: 'WWW.shop.example.org.', type: 'PRIMARY' },
      { domain: 'app.shop.example.org', type: 'ALIAS' },
    ]);
    const unchanged = spec([{ domain: 'other.example.net' }]);
    expect(withAppDomains(unchanged, [])).toBe(unchanged);
  });

  it('refuses a wildcard record pointing at the app, a name App Platform would refuse, and a zone App Platform would manage beside the tool', () => {
    const domain = section([
      { type: 'CNAME', name: '*', target: 'app' },
      { type: 'CNAME', name: '_x', target: 'app' },
      { type: 'CNAME', name: 'app', target: 'app' },
    ]);
    const problems = appDomainProblems(
      spec([{ domain: 'app.shop.example.org', zone: 'shop.example.org' }]),
      domain,
      'app.yaml',
    );
    expect(problems.map((p) => p.path)).toEqual([
      'domain.records.0.name',
      'domain.records.1.name',
      'domain.records.2',
    ]);
    expect(problems[0]!.message).toMatch(/^a wildcard record cannot point at the app: .*wildcard: true/);
    expect(problems[1]!.message).toMatch(
      /^points _x\.shop\.example\.org at the app, but App Platform takes only/,
    );
    expect(problems[2]!.message).toMatch(/lists with zone shop\.example\.org: .*remove the zone/);
    expect(appDomainProblems(spec(), section([{ type: 'CNAME', name: 'app', target: 'app' }]), 'a')).toEqual(
      [],
    );
  });

  it('puts the domain into the spec each environment deploys, and refuses a wildcard in deployment.yml', () => {
    const head =
      'name: shop\nregion: fra1\nenvironments: { staging: { domain: { name: staging.shop.example.org } }, production: {} }\n';
    const app = 'app: { spec: app.yaml }\n';
    const file = writeManifest(
      `${head}${app}domain: { name: shop.example.org, records: [{ type: CNAME, name: app, target: app }] }\n`,
    );
    const manifest = loadManifest(file, {});
    expect(resolveDeployment(manifest, 'staging').app?.spec.domains).toEqual([
      { domain: 'app.staging.shop.example.org', type: 'ALIAS' },
    ]);
    expect(resolveDeployment(manifest, 'production').app?.spec.domains).toEqual([
      { domain: 'app.shop.example.org', type: 'ALIAS' },
    ]);

    const wildcard = writeManifest(
      `${head}${app}domain: { name: shop.example.org, records: [{ type: CNAME, name: '*', target: app }] }\n`,
    );
    const error = thrown(InputError, () => loadManifest(wildcard, {}));
    expect(error.problems.map((p) => p.path)).toEqual(['domain.records.0.name']);
  });
});
