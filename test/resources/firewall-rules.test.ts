import type { Firewall } from '@digitalocean/dots';
import { describe, expect, it } from 'vitest';
import {
  type ExistingFirewall,
  type FirewallActual,
  isLookAlike,
  planFirewall,
} from '../../lib/resources/firewall/plan.js';
import {
  expandFirewall,
  firewallFromManifest,
  flattenFirewall,
  type NormalFirewall,
  normalPorts,
} from '../../lib/resources/firewall/rules.js';

const everywhere = { addresses: ['0.0.0.0/0', '::/0'] };
const section = {
  inbound: [
    { protocol: 'tcp' as const, ports: '443', sources: everywhere },
    { protocol: 'tcp' as const, ports: '22', sources: { addresses: ['203.0.113.7/32'], tags: ['bastion'] } },
  ],
  outbound: [
    { protocol: 'tcp' as const, ports: 'all', destinations: everywhere },
    { protocol: 'udp' as const, ports: 'all', destinations: everywhere },
    { protocol: 'icmp' as const, destinations: everywhere },
  ],
};
const desired = firewallFromManifest('base2-staging-fw', ['base2-staging'], section);

/** What DigitalOcean answers for `desired`: "0" for all ports and ICMP, empty lists, its own order. */
const answered: Firewall = {
  id: 'fw-1',
  name: 'base2-staging-fw',
  status: 'succeeded',
  tags: ['base2-staging'],
  dropletIds: [],
  inboundRules: [
    {
      protocol: 'tcp',
      ports: '22',
      sources: { addresses: ['203.0.113.7'], tags: ['bastion'], dropletIds: [], loadBalancerUids: [] },
    },
    { protocol: 'tcp', ports: '443', sources: { addresses: ['::/0', '0.0.0.0/0'], kubernetesIds: [] } },
  ],
  outboundRules: [
    { protocol: 'icmp', ports: '0', destinations: { addresses: ['0.0.0.0/0', '::/0'] } },
    { protocol: 'udp', ports: '0', destinations: { addresses: ['0.0.0.0/0', '::/0'] } },
    { protocol: 'tcp', ports: '0', destinations: { addresses: ['0.0.0.0/0', '::/0'] } },
  ],
};

const existing = (
  normal: NormalFirewall,
  id = 'fw-1',
  createdAt = '2024-01-01T00:00:00.000Z',
): ExistingFirewall => ({
  id,
  name: normal.name,
  status: 'succeeded',
  createdAt,
  normal,
});
const actual = (owned: ExistingFirewall[], lookAlikes: ExistingFirewall[] = []): FirewallActual => ({
  slug: 'base2-staging',
  owned,
  lookAlikes,
});

describe('firewall normalisation (expand/flatten)', () => {
  it('reads every-port forms as one: 0, all, 1-65535 and none; ICMP has no ports', () => {
    for (const ports of ['0', 'all', 'ALL', '1-65535', undefined])
      expect(normalPorts('tcp', ports)).toBe('all');
    expect(normalPorts('icmp', '0')).toBe('all');
    expect(normalPorts('icmp', '22')).toBe('all');
    expect(normalPorts('udp', '53')).toBe('53');
    expect(normalPorts('tcp', '8000-9000')).toBe('8000-9000');
    expect(normalPorts('tcp', '80-80')).toBe('80');
  });

  it("flattens DigitalOcean's answer to exactly the manifest's firewall", () => {
    expect(flattenFirewall(answered)).toEqual(desired);
  });

  it('expands to a complete PUT body: "0" for every port, no empty target lists, name, tags and droplet ids', () => {
    const body = expandFirewall(desired);
    expect(body).toMatchObject({ name: 'base2-staging-fw', tags: ['base2-staging'], dropletIds: [] });
    expect(body.inboundRules).toContainEqual({
      protocol: 'tcp',
      ports: '22',
      sources: { addresses: ['203.0.113.7'], tags: ['bastion'] },
    });
    expect(body.outboundRules).toContainEqual({ protocol: 'icmp', ports: '0', destinations: everywhere });
    expect(body.outboundRules).toContainEqual({ protocol: 'tcp', ports: '0', destinations: everywhere });
    // Round trip: what we send reads back as what we wanted.
    expect(flattenFirewall(body)).toEqual(desired);
  });

  it('treats a repeated rule as one (it allows nothing more)', () => {
    const doubled = firewallFromManifest('base2-staging-fw', ['base2-staging'], {
      ...section,
      inbound: [...section.inbound, section.inbound[0]!],
    });
    expect(doubled).toEqual(desired);
  });
});

describe('firewall plan (pure)', () => {
  it('creates the firewall when there is none', () => {
    expect(planFirewall(desired, actual([]))).toMatchObject([
      { kind: 'firewall', action: 'create', name: 'base2-staging-fw', payload: desired },
    ]);
  });

  it('is a noop when only DigitalOcean’s way of writing differs', () => {
    expect(planFirewall(desired, actual([existing(flattenFirewall(answered))])).map((s) => s.action)).toEqual(
      ['noop'],
    );
  });

  it('updates (one PUT) when a rule, the tags or directly attached droplets differ, saying what changed', () => {
    const fewer = { ...desired, inbound: desired.inbound.slice(1) };
    const [step] = planFirewall(desired, actual([existing(fewer)]));
    expect(step).toMatchObject({ action: 'update', id: 'fw-1', payload: desired });
    expect(step?.reason).toContain('+inbound tcp');
    const extraTag = { ...desired, tags: ['base2-staging', 'web'] };
    expect(planFirewall(desired, actual([existing(extraTag)]))[0]?.reason).toContain(
      'tags base2-staging,web',
    );
    const byId = { ...desired, dropletIds: [42] };
    expect(planFirewall(desired, actual([existing(byId)]))[0]?.action).toBe('update');
  });

  it('deletes duplicates of ours (oldest kept); without a firewall section it plans nothing (teardown deletes)', () => {
    const steps = planFirewall(desired, actual([existing(desired), existing(desired, 'fw-2')]));
    expect(steps.map((s) => [s.action, s.id])).toEqual([
      ['noop', 'fw-1'],
      ['delete', 'fw-2'],
    ]);
    expect(planFirewall(undefined, actual([existing(desired)]))).toEqual([]);
  });

  it('does not create over a firewall of our name that is not ours (no step; a warning explains)', () => {
    const foreign = existing({ ...desired, tags: ['other'] }, 'fw-9');
    expect(planFirewall(desired, actual([], [foreign]))).toEqual([]);
  });

  it('recognises look-alikes by prefix, but not another deployment’s own firewall', () => {
    const slug = 'base2-staging';
    expect(isLookAlike({ name: 'base2-staging-fw', tags: [] }, slug)).toBe(true);
    expect(isLookAlike({ name: 'base2-staging-fw-old', tags: [slug] }, slug)).toBe(true);
    expect(isLookAlike({ name: 'base2-staging-fw', tags: [slug] }, slug)).toBe(false);
    expect(isLookAlike({ name: 'base2-staging-eu-fw', tags: ['base2-staging-eu'] }, slug)).toBe(false);
    expect(isLookAlike({ name: 'base2-stagingx-fw', tags: [] }, slug)).toBe(false);
  });
});
