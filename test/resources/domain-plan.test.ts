import { describe, expect, it } from 'vitest';
import type { Deployment } from '../../lib/config/manifest.js';
import { type DomainActual, destroyDomain, planDomain } from '../../lib/resources/domain/plan.js';
import {
  canonicalData,
  desiredDomain,
  type ExistingRecord,
  expandData,
  managedKeys,
} from '../../lib/resources/domain/records.js';
import { domainWarnings } from '../../lib/resources/domain/warnings.js';

const DOMAIN = 'staging.base2.example.com';
const deployment: Deployment = {
  name: 'base2',
  environment: 'staging',
  slug: 'base2-staging',
  region: 'nyc3',
  manifestFile: 'deployment.yml',
  domain: {
    name: DOMAIN,
    ttl: 300,
    records: [
      { type: 'A', name: '@', target: 'droplets' },
      { type: 'A', name: 'www', target: 'droplets' },
      { type: 'CNAME', name: 'app', target: 'app' },
      { type: 'TXT', name: '@', target: 'v=spf1 -all', ttl: 3600 },
    ],
  },
};
const facts = {
  dropletIpv4: ['203.0.113.11', '203.0.113.10'],
  appHost: 'base2-staging-x1y2.ondigitalocean.app',
};

let nextId = 1;
const record = (type: string, name: string, data: string, ttl = 300): ExistingRecord => ({
  id: nextId++,
  type,
  name,
  data,
  ttl,
});
const provider = () => [
  record('SOA', '@', '1800', 1800),
  record('NS', '@', 'ns1.digitalocean.com', 1800),
  record('NS', '@', 'ns2.digitalocean.com', 1800),
];
const marker = () => record('TXT', '_base2-do', 'managed-by:base2-do base2-staging', 300);
const actual = (records: ExistingRecord[], exists = true): DomainActual => ({
  slug: 'base2-staging',
  domain: DOMAIN,
  exists,
  records,
  managed: managedKeys(deployment),
});
const converged = () => [
  ...provider(),
  marker(),
  record('A', '@', '203.0.113.10'),
  record('A', '@', '203.0.113.11'),
  record('A', 'www', '203.0.113.10'),
  record('A', 'www', '203.0.113.11'),
  record('CNAME', 'app', 'base2-staging-x1y2.ondigitalocean.app'),
  record('TXT', '@', 'v=spf1 -all', 3600),
];

describe('record data normalisation', () => {
  it('compares CNAME targets without the trailing dot DigitalOcean wants, and the domain itself as @', () => {
    expect(canonicalData('CNAME', 'Host.Example.NET.', DOMAIN)).toBe('host.example.net');
    expect(canonicalData('CNAME', 'host.example.net', DOMAIN)).toBe('host.example.net');
    expect(canonicalData('CNAME', `${DOMAIN}.`, DOMAIN)).toBe('@');
    expect(expandData('CNAME', 'host.example.net')).toBe('host.example.net.');
    expect(expandData('CNAME', '@')).toBe('@');
    expect(expandData('A', '203.0.113.10')).toBe('203.0.113.10');
  });

  it('compares IPv6 without case and TXT with or without quotes', () => {
    expect(canonicalData('AAAA', '2001:DB8::1', DOMAIN)).toBe('2001:db8::1');
    expect(canonicalData('TXT', '"v=spf1 -all"', DOMAIN)).toBe('v=spf1 -all');
  });
});

describe('desired records', () => {
  it('leaves droplet and app records pending until their facts exist, so the orchestrator plans again', () => {
    const desired = desiredDomain(deployment, { dropletIpv4: [] })!;
    expect(desired.pending.map((p) => `${p.type} ${p.name}`)).toEqual(['A @', 'A www', 'CNAME app']);
    expect(desired.sets).toEqual([{ type: 'TXT', name: '@', values: ['v=spf1 -all'], ttl: 3600 }]);
  });

  it('resolves one A record per droplet address and a CNAME to the app host, with the manifest TTL', () => {
    const desired = desiredDomain(deployment, facts)!;
    expect(desired.pending).toEqual([]);
    expect(desired.sets).toContainEqual({
      type: 'A',
      name: 'www',
      values: ['203.0.113.10', '203.0.113.11'],
      ttl: 300,
    });
    expect(desired.sets).toContainEqual({
      type: 'CNAME',
      name: 'app',
      values: ['base2-staging-x1y2.ondigitalocean.app'],
      ttl: 300,
    });
  });

  it('points an AAAA record at the droplets at their IPv6 addresses, and waits while they have none', () => {
    const records = [{ type: 'AAAA' as const, name: '@', target: 'droplets' }];
    const v6 = { ...deployment, domain: { ...deployment.domain!, records } };
    expect(desiredDomain(v6, { dropletIpv4: ['203.0.113.10'] })!.pending).toEqual([
      { type: 'AAAA', name: '@', waitingFor: 'active droplets with public IPv6 addresses' },
    ]);
    const desired = desiredDomain(v6, {
      dropletIpv4: ['203.0.113.10'],
      dropletIpv6: ['2604:A880::B', '2604:a880::a'],
    })!;
    expect(desired.sets).toEqual([
      { type: 'AAAA', name: '@', values: ['2604:a880::a', '2604:a880::b'], ttl: 300 },
    ]);
    const steps = planDomain(desired, actual([record('AAAA', '@', '2604:a880::a')]));
    expect(steps.map((s) => [s.action, s.reason])).toEqual([['create', 'missing: 2604:a880::b']]);
  });

  it('is undefined without a domain section', () => {
    expect(desiredDomain({ ...deployment, domain: undefined }, facts)).toBeUndefined();
  });
});

describe('domain plan (pure)', () => {
  it('creates a missing domain (with its marker) before every record', () => {
    const steps = planDomain(desiredDomain(deployment, facts), actual([], false));
    expect(steps[0]).toMatchObject({
      kind: 'domain',
      action: 'create',
      name: DOMAIN,
      payload: { marker: { name: '_base2-do', data: 'managed-by:base2-do base2-staging' } },
    });
    const creates = steps.slice(1).map((s) => [s.action, s.name, (s.payload as { data: string }).data]);
    expect(creates).toEqual([
      ['create', 'A @', '203.0.113.10'],
      ['create', 'A @', '203.0.113.11'],
      ['create', 'A www', '203.0.113.10'],
      ['create', 'A www', '203.0.113.11'],
      ['create', 'CNAME app', 'base2-staging-x1y2.ondigitalocean.app.'],
      ['create', 'TXT @', 'v=spf1 -all'],
    ]);
  });

  it('is all noops when DigitalOcean already answers the desired values', () => {
    const steps = planDomain(desiredDomain(deployment, facts), actual(converged()));
    expect(steps.every((s) => s.action === 'noop')).toBe(true);
  });

  it('rewrites a replaced droplet’s record in place, deletes a removed one, creates an added one', () => {
    const moved = { ...facts, dropletIpv4: ['203.0.113.10', '203.0.113.12'] };
    const steps = planDomain(desiredDomain(deployment, moved), actual(converged()));
    const changes = steps.filter((s) => s.action !== 'noop');
    expect(changes.map((s) => [s.action, s.name, s.reason])).toEqual([
      ['update', 'A @', '203.0.113.11 → 203.0.113.12'],
      ['update', 'A www', '203.0.113.11 → 203.0.113.12'],
    ]);
    expect(changes[0]?.payload).toMatchObject({ data: '203.0.113.12', ttl: 300 });

    const fewer = planDomain(
      desiredDomain(deployment, { ...facts, dropletIpv4: ['203.0.113.10'] }),
      actual(converged()),
    );
    expect(fewer.filter((s) => s.action !== 'noop').map((s) => [s.action, s.name])).toEqual([
      ['delete', 'A @'],
      ['delete', 'A www'],
    ]);
    const more = { ...facts, dropletIpv4: [...facts.dropletIpv4, '203.0.113.12'] };
    const added = planDomain(desiredDomain(deployment, more), actual(converged()));
    expect(added.filter((s) => s.action !== 'noop').map((s) => [s.action, s.name])).toEqual([
      ['create', 'A @'],
      ['create', 'A www'],
    ]);
  });

  it('updates a TTL, always sending the data with it', () => {
    const records = converged().map((r) => (r.type === 'CNAME' ? { ...r, ttl: 1800 } : r));
    const changes = planDomain(desiredDomain(deployment, facts), actual(records)).filter(
      (s) => s.action !== 'noop',
    );
    expect(changes).toMatchObject([
      {
        action: 'update',
        name: 'CNAME app',
        reason: expect.stringContaining('ttl 1800 → 300'),
        payload: { data: 'base2-staging-x1y2.ondigitalocean.app.', ttl: 300 },
      },
    ]);
  });

  it('gives pending records no steps, and leaves what they hold alone until the facts exist', () => {
    const steps = planDomain(desiredDomain(deployment, { dropletIpv4: [] }), actual(converged()));
    expect(steps.map((s) => s.name)).toEqual(['TXT @']);
  });
});

describe('domain destroy (pure)', () => {
  it('deletes a domain the tool created, and holding nothing else, in one call', () => {
    expect(destroyDomain(actual(converged()))).toMatchObject([
      { kind: 'domain', action: 'delete', name: DOMAIN },
    ]);
  });

  it('deletes only our records from a domain it did not create, or one that holds other records', () => {
    const unmarked = converged().filter((r) => r.name !== '_base2-do');
    const steps = destroyDomain(actual(unmarked));
    expect(steps.every((s) => s.kind === 'record' && s.action === 'delete')).toBe(true);
    expect(steps.map((s) => s.name)).toEqual(['A @', 'A @', 'A www', 'A www', 'CNAME app', 'TXT @']);
    const withMail = [...converged(), record('MX', '@', 'mail.example.net', 300)];
    const kept = destroyDomain(actual(withMail));
    expect(kept.some((s) => s.kind === 'domain')).toBe(false);
    expect(kept[0]?.reason).toContain('MX @');
  });

  it('has nothing to do when the domain is gone, or holds none of ours', () => {
    expect(destroyDomain(actual([], false))).toEqual([]);
    expect(destroyDomain(actual([...provider(), record('MX', '@', 'mail.example.net')]))).toEqual([]);
  });
});

describe('domain warnings', () => {
  it('warns when a managed name points elsewhere before the first deploy, and not once it is ours', () => {
    const before = [...provider(), record('A', 'www', '198.51.100.9')];
    const warnings = domainWarnings(actual(before), deployment, desiredDomain(deployment, facts));
    expect(warnings).toEqual([
      expect.stringContaining('A www.staging.base2.example.com points at 198.51.100.9'),
    ]);
    expect(domainWarnings(actual(converged()), deployment, desiredDomain(deployment, facts))).toEqual([]);
  });

  it('compares literal values even without facts, and reports names a CNAME cannot share', () => {
    const records = [...provider(), record('TXT', '@', 'old'), record('A', 'app', '198.51.100.9')];
    const warnings = domainWarnings(actual(records), deployment).join('\n');
    expect(warnings).toContain('TXT @.staging.base2.example.com points at old');
    expect(warnings).toContain('CNAME app.staging.base2.example.com replaces A app (198.51.100.9)');
    const kept = [...provider(), record('TXT', 'app', 'site-verification=abc')];
    expect(domainWarnings(actual(kept), deployment).join()).toContain(
      'CNAME app.staging.base2.example.com cannot be written: TXT app already uses',
    );
  });

  it('deletes the A record a CNAME replaces before writing it, and the CNAME a record replaces, never others', () => {
    const before = [
      ...provider(),
      marker(),
      record('A', 'app', '198.51.100.9'),
      record('TXT', 'app', 'keep'),
    ];
    const steps = planDomain(desiredDomain(deployment, facts), actual(before)).filter(
      (s) => s.action !== 'noop',
    );
    const clearing = steps.filter((s) => s.action === 'delete');
    expect(clearing).toMatchObject([
      {
        kind: 'record',
        name: 'A app',
        reason: expect.stringContaining('makes way for CNAME app'),
        payload: { clears: 'CNAME app' },
      },
    ]);
    // Deletes come before every write in the plan (and apply runs them first).
    expect(steps.findIndex((s) => s.action === 'create')).toBeGreaterThan(steps.indexOf(clearing[0]!));
    // A pending CNAME displaces nothing yet: the A keeps answering until the app exists.
    const pending = planDomain(desiredDomain(deployment, { dropletIpv4: facts.dropletIpv4 }), actual(before));
    expect(pending.some((s) => s.name === 'A app')).toBe(false);
    // The other way: A records at a name whose CNAME no managed pair claims.
    const www = [...provider(), marker(), record('CNAME', 'www', 'old.example.net')];
    const back = planDomain(desiredDomain(deployment, facts), actual(www)).filter((s) =>
      s.name.endsWith('www'),
    );
    expect(back.map((s) => [s.action, s.name])).toEqual([
      ['delete', 'CNAME www'],
      ['create', 'A www'],
      ['create', 'A www'],
    ]);
  });

  it("reports another deployment's marker", () => {
    const records = [...provider(), record('TXT', '_base2-do', 'managed-by:base2-do acme-staging')];
    expect(domainWarnings(actual(records), deployment).join()).toContain('another deployment (acme-staging)');
  });
});
