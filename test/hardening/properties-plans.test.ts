/**
 * Property-based tests of the pure planners (fast-check): from any actual state, applying a plan's
 * effect and planning again yields only noops (idempotence), and no plan — converge or teardown —
 * ever touches a resource the deployment does not own (look-alikes, foreign DNS records, keys
 * under other names).
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { appWarnings, destroyApp, planApp } from '../../lib/resources/app/plan.js';
import { displacedBy, isClearing } from '../../lib/resources/domain/clashes.js';
import {
  type DomainActual,
  destroyDomain,
  foreignRecords,
  isClaimed,
  planDomain,
} from '../../lib/resources/domain/plan.js';
import { type DomainDesired, desiredDomain, managedKeys } from '../../lib/resources/domain/records.js';
import { desiredDroplets } from '../../lib/resources/droplets/desired.js';
import { destroyDroplets, planDroplets } from '../../lib/resources/droplets/plan.js';
import { desiredFirewall, destroyFirewall, planFirewall } from '../../lib/resources/firewall/plan.js';
import { desiredRegistry, destroyRegistry, planRegistry } from '../../lib/resources/registry/plan.js';
import { desiredSshKey } from '../../lib/resources/ssh-key/model.js';
import { destroySshKey, planSshKey } from '../../lib/resources/ssh-key/plan.js';
import type { PlanStep } from '../../lib/resources/types.js';
import {
  applyDroplets,
  applyFirewall,
  applySshKey,
  changesOf,
  dropletWorld,
  firewallWorld,
  fixtureDeployment,
  idSource,
  sshKeyWorld,
} from './plan-models.js';
import { appDesired, applyApp, applyDomain, appWorld, domainWorld, TAGS } from './plan-models-dns-app.js';
import { Tally } from './tally.js';

const RUNS = 200;
const tally = new Tally(import.meta.filename);
afterAll(() => tally.publish());

function property<T>(arbitrary: fc.Arbitrary<T>, predicate: (value: T) => void): void {
  fc.assert(fc.property(arbitrary, predicate), { numRuns: RUNS, seed: 7 });
  tally.held('property', RUNS);
}

const ids = (steps: readonly PlanStep[]) =>
  changesOf(steps).flatMap((s) => (s.id === undefined ? [] : [s.id]));
const staging = fixtureDeployment();

describe('droplets', () => {
  const desired$ = fc
    .record({ count: fc.integer({ min: 0, max: 4 }), size: fc.constantFrom('s-1vcpu-1gb', 's-2vcpu-2gb') })
    .map(
      ({ count, size }) => desiredDroplets({ ...staging, droplets: { ...staging.droplets!, count, size } })!,
    );
  const world$ = desired$.chain((desired) => dropletWorld(desired).map((actual) => ({ desired, actual })));

  it('planning after applying a plan finds nothing to do, and no two droplets share a name', () => {
    property(world$, ({ desired, actual }) => {
      const after = applyDroplets(actual, planDroplets(desired, actual), desired, idSource());
      expect(changesOf(planDroplets(desired, after))).toEqual([]);
      const names = after.owned.map((d) => d.name);
      expect(new Set(names).size).toBe(names.length);
      expect(names.sort()).toEqual([...desired.names].sort());
    });
  });

  it('neither a plan nor a teardown touches a look-alike', () => {
    property(world$, ({ desired, actual }) => {
      const owned = new Set(actual.owned.map((d) => String(d.id)));
      for (const id of [...ids(planDroplets(desired, actual)), ...ids(destroyDroplets(actual))]) {
        expect(owned.has(id), `step on droplet ${id}`).toBe(true);
      }
      const bulk = destroyDroplets(actual).some((s) => s.payload?.type === 'delete-by-tag');
      if (bulk) expect(actual.lookalikes.some((l) => l.why === 'tag')).toBe(false);
      expect(applyDroplets(actual, destroyDroplets(actual), desired, idSource()).owned).toEqual([]);
    });
  });
});

describe('firewall', () => {
  const desired = desiredFirewall(staging)!;
  const world$ = firewallWorld(desired, staging.slug);

  it('planning after applying a plan finds nothing to do, and one firewall is left', () => {
    property(world$, (actual) => {
      const after = applyFirewall(actual, planFirewall(desired, actual), desired, idSource());
      expect(changesOf(planFirewall(desired, after))).toEqual([]);
      const blocked = actual.owned.length === 0 && actual.lookAlikes.some((f) => f.name === desired.name);
      expect(after.owned.length).toBe(blocked ? 0 : 1);
    });
  });

  it('neither a plan nor a teardown touches a look-alike', () => {
    property(world$, (actual) => {
      const owned = new Set(actual.owned.map((f) => f.id));
      for (const id of [...ids(planFirewall(desired, actual)), ...ids(destroyFirewall(actual))]) {
        expect(owned.has(id)).toBe(true);
      }
    });
  });
});

describe('SSH key', () => {
  const desired = desiredSshKey(staging)!;

  it('planning after applying a plan finds nothing to do; only the key with our exact name is ever removed', () => {
    property(sshKeyWorld(desired), (actual) => {
      const steps = planSshKey(desired, actual);
      const after = applySshKey(actual, steps, desired, idSource());
      expect(changesOf(planSshKey(desired, after))).toEqual([]);
      expect(after.matching?.fingerprint).toBe(desired.fingerprint);
      for (const s of [...steps, ...destroySshKey(actual)].filter(
        (x) => x.action === 'delete' || x.action === 'replace',
      )) {
        expect(s.id).toBe(String(actual.named?.id));
      }
    });
  });
});

describe('DNS', () => {
  const facts$ = fc.record({
    dropletIpv4: fc.subarray(['10.0.0.1', '10.0.0.2', '10.0.0.3']),
    appHost: fc.option(
      fc.constantFrom('base2-staging.ondigitalocean.app', 'https://base2-staging-x1.ondigitalocean.app/'),
      { nil: undefined },
    ),
  });
  const managed = managedKeys(staging);
  const world$ = facts$.chain((facts) => {
    const desired = desiredDomain(staging, facts)!;
    return domainWorld(desired, managed).map((actual) => ({ desired, actual }));
  });

  /** Records a write replaces: A, AAAA or CNAME at a managed name that a CNAME rule puts in its way. */
  const displaced = (desired: DomainDesired, actual: DomainActual) =>
    desired.sets.flatMap((set) => displacedBy(set, actual.records, (r) => isClaimed(actual, r)));

  it('planning after applying a plan finds nothing to do, and foreign records are untouched but those in the way of a write', () => {
    property(world$, ({ desired, actual }) => {
      const steps = planDomain(desired, actual);
      const after = applyDomain(actual, steps, idSource());
      expect(changesOf(planDomain(desired, after))).toEqual([]);
      const gone = new Set(steps.filter((s) => isClearing(s.payload)).map((s) => Number(s.id)));
      const inTheWay = new Set(displaced(desired, actual).map((r) => r.id));
      for (const id of gone) expect(inTheWay.has(id), `record ${id}`).toBe(true);
      expect(foreignRecords(after)).toEqual(foreignRecords(actual).filter((r) => !gone.has(r.id)));
    });
  });

  it('no plan or teardown touches a record outside the managed (name, type) pairs, but those in the way of a write', () => {
    property(world$, ({ desired, actual }) => {
      const mine = new Set(
        [
          ...actual.records.filter((r) => managed.some((k) => k.type === r.type && k.name === r.name)),
          ...displaced(desired, actual),
        ].map((r) => String(r.id)),
      );
      const recordSteps = [...planDomain(desired, actual), ...destroyDomain(actual)].filter(
        (s) => s.kind === 'record',
      );
      for (const id of ids(recordSteps)) expect(mine.has(id), `record ${id}`).toBe(true);
      const whole = destroyDomain(actual).some((s) => s.kind === 'domain');
      if (whole) expect(foreignRecords(actual)).toEqual([]);
    });
  });
});

describe('app and registry', () => {
  it('planning after applying a plan finds nothing to do; only the app of the exact name is deleted', () => {
    const world$ = fc.tuple(fc.constantFrom(...TAGS), appWorld(staging));
    property(world$, ([tag, actual]) => {
      const desired = appDesired(staging, tag);
      const steps = planApp(desired, actual);
      expect(steps.every((s) => s.action !== 'delete')).toBe(true);
      expect(changesOf(planApp(desired, applyApp(actual, steps, desired)))).toEqual([]);
      // Unmarked, as an earlier version left it: deleted only as deployment.yml's spec, never on its name alone.
      expect(ids(destroyApp(actual, { desired: staging.app!.spec }))).toEqual(
        actual.app ? [actual.app.id] : [],
      );
      expect(destroyApp(actual)).toEqual([]);
      expect(appWarnings(actual, staging)).toHaveLength(actual.lookAlikes.length);
    });
  });

  it('the registry is created once and deleted only when asked, under the manifest’s name', () => {
    const desired = desiredRegistry(staging)!;
    const world$ = fc.record({
      registry: fc.option(
        fc.record({
          name: fc.constantFrom(desired.name, 'someone-elses'),
          region: fc.constant('nyc3'),
          tier: fc.constant('basic'),
        }),
        { nil: undefined },
      ),
      include: fc.boolean(),
    });
    property(world$, ({ registry, include }) => {
      const actual = { registry };
      const created =
        changesOf(planRegistry(desired, actual)).length > 0
          ? { registry: { name: desired.name, region: 'nyc3', tier: 'basic' } }
          : actual;
      expect(changesOf(planRegistry(desired, created))).toEqual([]);
      const deletes = destroyRegistry(actual, { include, name: desired.name });
      expect(deletes.length).toBe(include && registry?.name === desired.name ? 1 : 0);
    });
  });
});
