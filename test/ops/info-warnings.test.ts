import { describe, expect, it } from 'vitest';
import { OWNER_TAG } from '../../lib/config/identity.js';
import type { Deployment } from '../../lib/config/manifest.js';
import { deploymentDomainRow, recordState } from '../../lib/ops/info/domain-rows.js';
import { renderInfo } from '../../lib/ops/info/render.js';
import type { DropletRow, InfoResult } from '../../lib/ops/info/types.js';
import {
  appDomainWarnings,
  appShapeWarning,
  dnsElsewhereWarnings,
  duplicateNameWarnings,
  leftoverWarnings,
  repositoriesUsed,
  repositoryWarnings,
  sshKeyWarning,
} from '../../lib/ops/info/warnings.js';
import type { OpReport } from '../../lib/ops/types.js';
import type { AppState } from '../../lib/resources/app/index.js';
import type { DomainActual, DomainDesired } from '../../lib/resources/domain/index.js';

const SLUG = 'base2-staging';

const record = (id: number, type: string, name: string, data: string) => ({ id, type, name, data, ttl: 300 });

function domainActual(records: ReturnType<typeof record>[]): DomainActual {
  return {
    slug: SLUG,
    domain: 'staging.example.com',
    exists: true,
    records,
    managed: [
      { type: 'A', name: '@' },
      { type: 'CNAME', name: 'app' },
    ],
  };
}

describe('DNS records against the deployment', () => {
  const desired: DomainDesired = {
    domain: 'staging.example.com',
    slug: SLUG,
    sets: [{ type: 'A', name: '@', values: ['192.0.2.1', '192.0.2.2'], ttl: 300 }],
    pending: [{ type: 'CNAME', name: 'app', waitingFor: "the app's default ingress host" }],
  };

  it('states each managed record, keeps the marker and a record in a CNAME’s way, and counts the rest', () => {
    const actual = domainActual([
      record(1, 'SOA', '@', 'ns1.digitalocean.com'),
      record(2, 'NS', '@', 'ns1.digitalocean.com'),
      record(3, 'A', '@', '192.0.2.1'),
      record(4, 'A', '@', '203.0.113.9'),
      record(5, 'CNAME', 'app', 'elsewhere.example.net'),
      record(6, 'TXT', 'app', 'verification'),
      record(7, 'TXT', '_base2-do', `${OWNER_TAG} ${SLUG}`),
      record(8, 'MX', '@', 'mail.example.net'),
    ]);
    const row = deploymentDomainRow(actual, desired);
    expect(row.records.map((r) => [r.id, r.state])).toEqual([
      [3, 'ok'],
      [4, 'points elsewhere'],
      [5, 'unverified'],
      [6, 'in the way'],
      [7, 'marker'],
    ]);
    expect(row).toMatchObject({ exists: true, created_by: SLUG, other_records: 3 });
    expect(recordState(record(9, 'A', 'www', '192.0.2.1'), actual, desired)).toBeUndefined();
  });

  it('a domain the account lacks is a row without records', () => {
    expect(deploymentDomainRow({ ...domainActual([]), exists: false }, desired)).toEqual({
      name: 'staging.example.com',
      exists: false,
      records: [],
    });
  });

  it('warns about a pending name already in use and a name shared with a foreign value, not a wholly foreign one', () => {
    const mixed = domainActual([
      record(3, 'A', '@', '192.0.2.1'),
      record(4, 'A', '@', '203.0.113.9'),
      record(5, 'CNAME', 'app', 'elsewhere.example.net'),
    ]);
    expect(dnsElsewhereWarnings(mixed, desired)).toEqual([
      expect.stringMatching(
        /^DNS CNAME app\.staging\.example\.com points at elsewhere\.example\.net, .*default ingress host yet/,
      ),
      expect.stringMatching(
        /^DNS A @\.staging\.example\.com also points at 203\.0\.113\.9, besides this deployment's 192\.0\.2\.1, 192\.0\.2\.2/,
      ),
    ]);
    // Wholly foreign values are the domain module's own warning (deploy takes the name over).
    expect(dnsElsewhereWarnings(domainActual([record(4, 'A', '@', '203.0.113.9')]), desired)).toEqual([]);
  });
});

const web = (repository: string) => ({
  name: 'web',
  image: { registry_type: 'DOCR' as const, repository, tag: 'latest' },
});

function deployment(overrides: Partial<Deployment> = {}): Deployment {
  return {
    name: 'base2',
    environment: 'staging',
    slug: SLUG,
    app: { spec: { name: SLUG, services: [web('base2')] } },
    droplets: { container: { image: 'registry.digitalocean.com/base2/api:1.0' } },
    ...overrides,
  } as unknown as Deployment;
}

describe('warnings only info gives', () => {
  it('a host deployment.yml points at the app whose domain App Platform does not serve yet', () => {
    const host = 'app.staging.example.com';
    const withRecord = deployment({
      domain: { name: 'staging.example.com', records: [{ type: 'CNAME', name: 'app', target: 'app' }] },
    } as Partial<Deployment>);
    const desired = {
      spec: { name: SLUG, services: [web('base2')], domains: [{ domain: host, type: 'ALIAS' as const }] },
      verify: { path: '/', expect_status: 200 },
    };
    const app = (phase: string): AppState => ({
      id: 'a1',
      name: SLUG,
      spec: desired.spec,
      domains: [{ domain: host, type: 'ALIAS', phase }],
    });
    expect(appDomainWarnings(withRecord, app('ACTIVE'), desired)).toEqual([]);
    expect(appDomainWarnings(withRecord, app('PENDING'), desired)).toEqual([
      expect.stringMatching(
        /^App base2-staging does not serve app\.staging\.example\.com yet: App Platform reports its domain PENDING\. Deploy waits/,
      ),
    ]);
    expect(appDomainWarnings(withRecord, undefined, desired)).toEqual([]);
  });

  it('an app of our name shaped otherwise, and none for the same shape with other values', () => {
    // The deployment's app, as the tool marks it; an unmarked one gets the ownership warning instead.
    const marker = { key: 'BASE2_DO_OWNER', value: `managed-by:base2-do ${SLUG}`, scope: 'BUILD_TIME' };
    const app = (services: unknown[], envs: unknown[] = [marker]): AppState => ({
      id: 'a1',
      name: SLUG,
      spec: { name: SLUG, envs, services } as never,
    });
    const desired = {
      spec: { name: SLUG, services: [web('base2')] },
      verify: { path: '/', expect_status: 200 },
    };
    expect(appShapeWarning(app([{ ...web('base2'), instance_count: 3 }]), desired)).toEqual([]);
    expect(appShapeWarning(app([web('other')]), desired)).toEqual([
      expect.stringContaining(
        'it has service web (image other); deployment.yml has service web (image base2)',
      ),
    ]);
    expect(appShapeWarning(undefined, desired)).toEqual([]);
    expect(appShapeWarning(app([web('other')], []), desired)).toEqual([]);
  });

  it('the images the deployment takes from the registry, and those the registry lacks', () => {
    const uses = repositoriesUsed(deployment());
    expect(uses).toEqual([
      { repository: 'base2', tag: 'latest', where: 'app component web' },
      { registry: 'base2', repository: 'api', tag: '1.0', where: 'droplets.container.image' },
    ]);
    expect(
      repositoryWarnings(uses, { name: 'base2', repositories: [{ name: 'base2' }, { name: 'api' }] }),
    ).toEqual([]);
    expect(repositoryWarnings(uses, { name: 'base2', repositories: [{ name: 'base2' }] })).toEqual([
      expect.stringContaining(
        'Repository api (droplets.container.image) is not in registry base2: push registry.digitalocean.com/base2/api:1.0',
      ),
    ]);
    expect(repositoryWarnings(uses, undefined)).toEqual([]);
  });

  it('our key name holding another public key', () => {
    const key = { id: 7, name: `${SLUG}-key`, fingerprint: 'aa:bb', publicKey: 'ssh-ed25519 AAAA' };
    const desired = { name: `${SLUG}-key`, publicKey: 'ssh-ed25519 BBBB', fingerprint: 'cc:dd' };
    expect(sshKeyWarning({ name: key.name, named: key, matching: undefined }, desired)).toEqual([
      expect.stringContaining(
        `SSH key ${SLUG}-key (7) holds a public key (fingerprint aa:bb) other than droplets.ssh_key's (cc:dd)`,
      ),
    ]);
    expect(
      sshKeyWarning(
        { name: key.name, named: { ...key, fingerprint: 'cc:dd' }, matching: undefined },
        desired,
      ),
    ).toEqual([]);
  });

  it('owned resources of a section the environment no longer has; nothing while the section is there', () => {
    const droplet = { id: 1, name: `${SLUG}-abc-1`, tags: [SLUG, OWNER_TAG] } as never;
    const owned = { droplets: { slug: SLUG, owned: [droplet], lookalikes: [], accountScanned: true } };
    expect(leftoverWarnings(deployment(), owned)).toEqual([]);
    expect(leftoverWarnings(deployment({ droplets: undefined }), owned)).toEqual([
      expect.stringContaining(
        `no droplets section for staging, yet ${SLUG} still owns 1 droplet(s) (${SLUG}-abc-1)`,
      ),
    ]);
  });

  it('droplet names used twice in the account', () => {
    const row = (id: number, name: string, owner?: string): DropletRow => ({
      id,
      name,
      status: 'active',
      size: '',
      region: '',
      image: '',
      tags: [],
      ...(owner ? { owner } : {}),
    });
    expect(duplicateNameWarnings([row(1, 'web'), row(2, 'db'), row(3, 'web', SLUG)])).toEqual([
      '2 droplets are named web (ids 1, 3): names are not unique on DigitalOcean, but people and exec pick droplets by name; rename or delete the extra ones.',
    ]);
  });
});

describe('renderInfo', () => {
  const result: InfoResult = {
    scope: 'deployment',
    namespaces: [],
    domains: [{ name: 'staging.example.com', exists: false, records: [] }],
    apps: [],
    droplets: [
      {
        id: 9,
        name: `${SLUG}-hand-1`,
        note: `tagged ${SLUG} without ${OWNER_TAG}`,
        status: 'active',
        size: 's-1vcpu-1gb',
        region: 'nyc3',
        image: 'debian-12-x64',
        tags: [SLUG],
      },
    ],
    registry: null,
    firewalls: [],
    projects: [],
    ssh_keys: [],
  };
  const report = {
    op: 'info',
    status: 'succeeded',
    deployment: SLUG,
    result,
    warnings: ['first', 'second'],
  } as OpReport<InfoResult>;

  it('puts the warnings first, then a table per kind, a look-alike marked as not ours', () => {
    const text = renderInfo(report);
    expect(text.split('\n').slice(0, 5)).toEqual([
      `Info for ${SLUG}`,
      '',
      'Warnings:',
      '  ! first',
      '  ! second',
    ]);
    expect(text).toContain(`not ours: tagged ${SLUG} without ${OWNER_TAG}`);
    expect(text).toMatch(/staging\.example\.com +no +- +-\n/);
    expect(text).toContain('Container registry: none');
    expect(text).toContain('Apps: none');
  });
});
