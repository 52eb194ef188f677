/**
 * A small model of DigitalOcean for the planners' properties: random actual states (owned resources,
 * duplicates, stale generations, look-alikes, foreign DNS records) and what applying a plan's steps
 * does to them. Only the planners under test are the tool's code; the effects here are the oracle.
 */
import { join } from 'node:path';
import fc from 'fast-check';
import { OWNER_TAG } from '../../lib/config/identity.js';
import { type Deployment, loadManifest, resolveDeployment } from '../../lib/config/manifest.js';
import type { ActualDroplets, DesiredDroplets, DropletState } from '../../lib/resources/droplets/model.js';
import type { DropletStep } from '../../lib/resources/droplets/plan.js';
import type { ExistingFirewall, FirewallActual, FirewallDesired } from '../../lib/resources/firewall/plan.js';
import type { ActualSshKeys, DesiredSshKey } from '../../lib/resources/ssh-key/model.js';
import type { PlanStep } from '../../lib/resources/types.js';
import { ROOT } from '../support/op-context.js';
import { MANIFEST } from './harness.js';

export function fixtureDeployment(environment = 'staging', env: Record<string, string> = {}): Deployment {
  return resolveDeployment(loadManifest(join(ROOT, MANIFEST), env), environment);
}

export const changesOf = (steps: readonly PlanStep[]) => steps.filter((s) => s.action !== 'noop');

/** Fresh ids, above any an arbitrary uses. */
export function idSource(start = 1_000_000): () => number {
  let next = start;
  return () => next++;
}

// Droplets ----------------------------------------------------------------------------------------

const SIZES = ['s-1vcpu-1gb', 's-2vcpu-2gb'] as const;

export function dropletWorld(desired: DesiredDroplets): fc.Arbitrary<ActualDroplets> {
  const slug = desired.slug;
  const names = [
    ...desired.names,
    `${slug}-${desired.names.length + 1}`,
    `${slug}-ffffff-1`,
    `${slug}-ffffff-3`,
  ];
  const names$ = names.length > 0 ? fc.constantFrom(...names) : fc.constant(`${slug}-1`);
  const droplet = fc.record({
    name: names$,
    status: fc.constantFrom('active', 'off', 'new'),
    size: fc.constantFrom(...SIZES),
    createdAt: fc.integer({ min: 1, max: 1_000 }),
  });
  return fc
    .record({
      owned: fc.array(droplet, { maxLength: 6 }),
      lookalikes: fc.array(droplet, { maxLength: 3 }),
      why: fc.constantFrom('tag', 'name'),
    })
    .map(({ owned, lookalikes, why }) => {
      const make = (d: (typeof owned)[number], id: number, tags: string[]): DropletState => ({
        id,
        name: d.name,
        status: d.status,
        size: d.size,
        region: desired.region,
        image: desired.image,
        tags,
        createdAt: d.createdAt,
        publicIpv4: `10.0.${Math.floor(id / 250) % 250}.${id % 250}`,
        locked: false,
      });
      return {
        slug,
        owned: owned.map((d, i) => make(d, i + 1, [slug, OWNER_TAG])),
        lookalikes: lookalikes.map((d, i) => ({
          droplet: make(d, 100 + i, why === 'tag' ? [slug] : []),
          why,
        })),
        accountScanned: true,
      };
    });
}

export function applyDroplets(
  actual: ActualDroplets,
  steps: readonly DropletStep[],
  desired: DesiredDroplets,
  id: () => number,
): ActualDroplets {
  let owned = [...actual.owned];
  for (const s of changesOf(steps) as DropletStep[]) {
    if (s.action === 'create') {
      const n = id();
      owned.push({
        id: n,
        name: s.name,
        status: 'active',
        size: desired.size,
        region: desired.region,
        image: desired.image,
        tags: [...desired.tags],
        createdAt: n,
        publicIpv4: undefined,
        locked: false,
      });
    } else if (s.action === 'update' && s.payload?.type === 'resize') {
      const size = s.payload.size;
      owned = owned.map((d) => (String(d.id) === s.id ? { ...d, size, status: 'active' } : d));
    } else if (s.action === 'update' && s.payload?.type === 'power-on') {
      owned = owned.map((d) => (String(d.id) === s.id ? { ...d, status: 'active' } : d));
    } else if (s.action === 'delete' && s.payload?.type === 'delete-by-tag') {
      owned = [];
    } else if (s.action === 'delete') {
      owned = owned.filter((d) => String(d.id) !== s.id);
    }
  }
  return { ...actual, owned };
}

// Firewall ----------------------------------------------------------------------------------------

export function firewallWorld(desired: FirewallDesired, slug: string): fc.Arbitrary<FirewallActual> {
  const normal = fc.record({
    inbound: fc.subarray(desired.inbound),
    outbound: fc.subarray(desired.outbound),
  });
  const firewall = (name: string, tags: string[]) =>
    fc.record({ id: fc.uuid(), rules: normal, createdAt: fc.integer({ min: 1, max: 999 }) }).map(
      (f): ExistingFirewall => ({
        id: f.id,
        name,
        status: 'succeeded',
        createdAt: String(f.createdAt).padStart(4, '0'),
        normal: { ...desired, name, tags, ...f.rules },
      }),
    );
  return fc
    .record({
      owned: fc.array(firewall(desired.name, [slug]), { maxLength: 3 }),
      lookAlikes: fc.array(fc.oneof(firewall(desired.name, []), firewall(`${slug}-other`, ['elsewhere'])), {
        maxLength: 2,
      }),
    })
    .map(({ owned, lookAlikes }) => ({ slug, owned, lookAlikes }));
}

export function applyFirewall(
  actual: FirewallActual,
  steps: readonly PlanStep[],
  desired: FirewallDesired,
  id: () => number,
): FirewallActual {
  let owned = [...actual.owned];
  for (const s of changesOf(steps)) {
    if (s.action === 'create')
      owned.push({
        id: `new-${id()}`,
        name: desired.name,
        status: 'succeeded',
        createdAt: '9999',
        normal: desired,
      });
    else if (s.action === 'update') owned = owned.map((f) => (f.id === s.id ? { ...f, normal: desired } : f));
    else if (s.action === 'delete') owned = owned.filter((f) => f.id !== s.id);
  }
  return { ...actual, owned };
}

// SSH key -----------------------------------------------------------------------------------------

export function sshKeyWorld(desired: DesiredSshKey): fc.Arbitrary<ActualSshKeys> {
  const key = (name: string, fingerprint: string, id: number) => ({
    id,
    name,
    fingerprint,
    publicKey: `key ${fingerprint}`,
  });
  const old = 'aa:bb:cc:dd:ee:ff:00:11:22:33:44:55:66:77:88:99';
  return fc.constantFrom<ActualSshKeys>(
    { name: desired.name, named: undefined, matching: undefined },
    {
      name: desired.name,
      named: key(desired.name, desired.fingerprint, 1),
      matching: key(desired.name, desired.fingerprint, 1),
    },
    { name: desired.name, named: key(desired.name, old, 2), matching: undefined },
    {
      name: desired.name,
      named: key(desired.name, old, 2),
      matching: key('someone-elses', desired.fingerprint, 3),
    },
    { name: desired.name, named: undefined, matching: key('someone-elses', desired.fingerprint, 3) },
  );
}

export function applySshKey(
  actual: ActualSshKeys,
  steps: readonly PlanStep[],
  desired: DesiredSshKey,
  id: () => number,
): ActualSshKeys {
  let { named, matching } = actual;
  for (const s of changesOf(steps)) {
    if (s.action === 'delete' && named && s.id === String(named.id)) named = undefined;
    if (s.action === 'create' || s.action === 'replace') {
      named = {
        id: id(),
        name: desired.name,
        fingerprint: desired.fingerprint,
        publicKey: desired.publicKey,
      };
      matching = named;
    }
  }
  return { ...actual, named, matching };
}
