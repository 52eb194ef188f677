import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OWNER_TAG } from '../../lib/config/identity.js';
import { type Deployment, loadManifest, resolveDeployment } from '../../lib/config/manifest.js';
import type { KindPlan } from '../../lib/ops/converge.js';
import { classifyDrift, dropletRecords, NOTES } from '../../lib/ops/maintain/drift.js';
import {
  appImageOf,
  docrRepositoryOf,
  generationWith,
  newestGeneration,
  sameImage,
} from '../../lib/ops/maintain/image.js';
import { withPowerOns } from '../../lib/ops/maintain/power-on.js';
import {
  deploymentRepositories,
  garbageReport,
  pinnedDigests,
  untaggedDigests,
} from '../../lib/ops/maintain/registry-gc.js';
import type { AppState } from '../../lib/resources/app/index.js';
import {
  type DesiredDroplets,
  type DropletState,
  desiredDroplets,
  planDroplets,
} from '../../lib/resources/droplets/index.js';
import type { PlanStep } from '../../lib/resources/types.js';
import { ROOT } from '../support/op-context.js';

const staging = (): Deployment =>
  resolveDeployment(loadManifest(join(ROOT, 'test/ops/fixtures/deployment.yml'), {}), 'staging');

let nextId = 1;
function droplet(desired: DesiredDroplets, index: number, fields: Partial<DropletState> = {}): DropletState {
  return {
    id: nextId++,
    name: `${desired.slug}-${desired.generation}-${index}`,
    status: 'active',
    size: desired.size,
    region: desired.region,
    image: desired.image,
    tags: [desired.slug, OWNER_TAG],
    createdAt: 1_000,
    publicIpv4: `127.0.0.${index + 1}`,
    locked: false,
    ...fields,
  };
}

function dropletPlan(desired: DesiredDroplets, owned: DropletState[]): KindPlan {
  return {
    kind: 'droplet',
    desired,
    steps: planDroplets(desired, { slug: desired.slug, owned, lookalikes: [], accountScanned: true }),
  };
}

const step = (kind: PlanStep['kind'], action: PlanStep['action'], name: string, reason = 'r'): PlanStep => ({
  kind,
  action,
  name,
  reason,
});
const treatments = (plans: KindPlan[], records?: Set<string>) =>
  classifyDrift(plans, records).drift.map((d) => `${d.treatment} ${d.action} ${d.kind} ${d.name}`);

describe('classifyDrift', () => {
  const desired = desiredDroplets(staging())!;
  const older = {
    ...desired,
    generation: 'aaaaaa',
    names: [`${desired.slug}-aaaaaa-1`, `${desired.slug}-aaaaaa-2`],
  };

  it('has nothing to say about a plan of noops', () => {
    const plans = [dropletPlan(desired, [droplet(desired, 1), droplet(desired, 2)])];
    expect(classifyDrift(plans)).toEqual({ drift: [], repairs: [], cleanup: [] });
  });

  it('repairs a missing droplet of the current generation, with the plan step for apply', () => {
    const plan = dropletPlan(desired, [droplet(desired, 2)]);
    const result = classifyDrift([plan]);
    expect(treatments([plan])).toEqual([`repair create droplet ${desired.names[0]}`]);
    expect(result.repairs).toEqual([{ kind: 'droplet', desired, steps: [plan.steps[0]] }]);
  });

  it('reports resizes, surplus and duplicates, and powers on a droplet left off: repair never destroys or resizes', () => {
    const plan = dropletPlan(desired, [
      droplet(desired, 1, { size: 's-2vcpu-2gb' }),
      droplet(desired, 2, { status: 'off' }),
      droplet(desired, 3),
      droplet(desired, 2, { createdAt: 2_000 }),
    ]);
    const result = classifyDrift([plan]);
    expect(result.drift.map((d) => [d.treatment, d.note])).toEqual([
      ['report', NOTES.resize],
      ['repair', NOTES.powerOn],
      ['report', NOTES.surplus],
      ['report', NOTES.surplus],
    ]);
    expect(result.repairs.flatMap((p) => p.steps.map((s) => [s.name, s.payload]))).toEqual([
      [`${desired.slug}-${desired.generation}-2`, { type: 'power-on', size: desired.size }],
    ]);
  });

  it('powers on a droplet left off at another size at the size it has, beside the resize it only reports', () => {
    const off = droplet(desired, 1, { size: 's-2vcpu-2gb', status: 'off' });
    const owned = [off, droplet(desired, 2)];
    const plans = withPowerOns([dropletPlan(desired, owned)], {
      slug: desired.slug,
      owned,
      lookalikes: [],
      accountScanned: true,
    });
    const result = classifyDrift(plans);
    expect(result.drift.map((d) => [d.name, d.what, d.treatment])).toEqual([
      [off.name, `size s-2vcpu-2gb → ${desired.size}`, 'report'],
      [off.name, 'powered off → power on', 'repair'],
    ]);
    expect(result.repairs[0]?.steps.map((s) => s.payload)).toEqual([
      { type: 'power-on', size: 's-2vcpu-2gb' },
    ]);
    // One already planned as a power on gets no second one.
    const again = withPowerOns(plans, { slug: desired.slug, owned, lookalikes: [], accountScanned: true });
    expect(again[0]?.steps).toHaveLength(plans[0]!.steps.length);
  });

  it('repairs IPv6 that deployment.yml asks for: enabling it interrupts nothing', () => {
    const wanted = { ...desired, ipv6: true };
    const plan = dropletPlan(wanted, [
      droplet(wanted, 1, { ipv6: true }),
      droplet(wanted, 2, { ipv6: false }),
    ]);
    const result = classifyDrift([plan]);
    expect(result.drift.map((d) => [d.treatment, d.note])).toEqual([['repair', NOTES.ipv6]]);
    expect(result.repairs).toEqual([
      { kind: 'droplet', desired: wanted, steps: plan.steps.filter((s) => s.action === 'update') },
    ]);
  });

  it('cleans up an older generation only when the current one is complete', () => {
    const complete = dropletPlan(desired, [
      droplet(older, 1),
      droplet(older, 2),
      droplet(desired, 1, { createdAt: 5_000 }),
      droplet(desired, 2, { createdAt: 5_000 }),
    ]);
    const done = classifyDrift([complete]);
    expect(done.cleanup.map((s) => s.name)).toEqual(older.names);
    expect(done.drift.every((d) => d.treatment === 'cleanup')).toBe(true);
    const half = dropletPlan(desired, [droplet(older, 1), droplet(older, 2), droplet(desired, 1)]);
    const halfDone = classifyDrift([half]);
    expect(halfDone.cleanup).toEqual([]);
    expect(halfDone.repairs).toEqual([]);
    expect(halfDone.drift.every((d) => d.treatment === 'report' && d.note === NOTES.replacing)).toBe(true);
  });

  it('re-creates nothing while the SSH key droplets are created with is missing', () => {
    const plans: KindPlan[] = [
      { kind: 'ssh_key', desired: {}, steps: [step('ssh_key', 'create', 'base2-staging-key', 'missing')] },
      dropletPlan(desired, [droplet(desired, 2)]),
    ];
    expect(classifyDrift(plans).drift.map((d) => d.note)).toEqual([NOTES.other, NOTES.noKey]);
    expect(classifyDrift(plans).repairs).toEqual([]);
  });

  it('repairs DNS creates and updates and the firewall; reports DNS deletes, duplicates, the app and the rest', () => {
    const plans: KindPlan[] = [
      { kind: 'registry', desired: {}, steps: [step('registry', 'create', 'base2')] },
      { kind: 'app', desired: {}, steps: [step('app', 'update', 'base2-staging', 'spec: env')] },
      {
        kind: 'firewall',
        desired: {},
        steps: [
          step('firewall', 'update', 'base2-staging-fw'),
          step('firewall', 'delete', 'base2-staging-fw'),
        ],
      },
      {
        kind: 'domain',
        desired: {},
        steps: [
          step('record', 'create', 'CNAME app'),
          step('record', 'update', 'A @'),
          step('record', 'delete', 'A www'),
          step('record', 'noop', 'TXT @'),
        ],
      },
    ];
    expect(treatments(plans)).toEqual([
      'report create registry base2',
      'report update app base2-staging',
      'repair update firewall base2-staging-fw',
      'report delete firewall base2-staging-fw',
      'repair create record CNAME app',
      'repair update record A @',
      'report delete record A www',
    ]);
    const repairs = classifyDrift(plans).repairs;
    expect(repairs.map((p) => `${p.kind}:${p.steps.length}`)).toEqual(['firewall:1', 'domain:2']);
    expect(classifyDrift(plans).drift[1]?.note).toBe(NOTES.app);
  });

  it('counts a DNS delete of a record following re-created droplets as part of the repair', () => {
    const plans: KindPlan[] = [
      dropletPlan(desired, [droplet(desired, 2)]),
      {
        kind: 'domain',
        desired: {},
        steps: [step('record', 'delete', 'A @'), step('record', 'delete', 'A www')],
      },
    ];
    const records = dropletRecords(staging());
    expect([...records]).toEqual(['A @']);
    expect(treatments(plans, records)).toEqual([
      `repair create droplet ${desired.names[0]}`,
      'repair delete record A @',
      'report delete record A www',
    ]);
    expect(classifyDrift(plans, records).drift[1]?.note).toBe(NOTES.dnsFollows);
  });
});

describe('the deployed image', () => {
  const deployment = staging();

  it('reads the tag or digest an app spec runs for a repository', () => {
    const spec = deployment.app!.spec;
    expect(appImageOf(spec, 'base2')).toEqual({ tag: 'latest' });
    expect(appImageOf(spec, 'other')).toBeUndefined();
    expect(appImageOf(undefined, 'base2')).toBeUndefined();
    const digest = `sha256:${'c'.repeat(64)}`;
    const pinned = {
      ...spec,
      services: spec.services!.map((s) => ({ ...s, image: { ...s.image!, tag: undefined, digest } })),
    };
    expect(appImageOf(pinned, 'base2')).toEqual({ digest });
    expect(sameImage({ tag: 'a' }, { tag: 'a' })).toBe(true);
    expect(sameImage({ tag: 'a' }, { digest: 'a' })).toBe(false);
  });

  it('parses DOCR image references', () => {
    expect(docrRepositoryOf('registry.digitalocean.com/base2/base2:latest')).toEqual({
      registry: 'base2',
      repository: 'base2',
    });
    expect(docrRepositoryOf(`registry.digitalocean.com/reg/team/api@sha256:${'a'.repeat(64)}`)).toEqual({
      registry: 'reg',
      repository: 'team/api',
    });
    expect(docrRepositoryOf('ghcr.io/acme/base2:1')).toBeUndefined();
    expect(docrRepositoryOf('registry.digitalocean.com/base2')).toBeUndefined();
  });

  it('matches a generation to the image it was made from', () => {
    const manifestGeneration = desiredDroplets(deployment)!.generation;
    expect(generationWith(deployment, { tag: 'latest' })).toBe(manifestGeneration);
    expect(generationWith(deployment, { tag: '1.4.2' })).not.toBe(manifestGeneration);
  });

  it('takes the generation made last as the current one, whatever was re-created in an older one', () => {
    const slug = 'base2-staging';
    const d = (name: string, createdAt: number) => ({ name: `${slug}-${name}`, createdAt }) as DropletState;
    expect(newestGeneration([], slug)).toBeUndefined();
    expect(newestGeneration([d('aaaaaa-1', 1), d('bbbbbb-1', 5), d('bbbbbb-2', 6)], slug)).toBe('bbbbbb');
    expect(newestGeneration([d('aaaaaa-1', 1), d('bbbbbb-1', 5), d('aaaaaa-2', 9)], slug)).toBe('bbbbbb');
    expect(newestGeneration([d('handmade', 9), d('aaaaaa-1', 1)], slug)).toBe('aaaaaa');
  });
});

describe('registry garbage', () => {
  it('looks in the repositories the deployment pulls from in the account registry', () => {
    const deployment = staging();
    expect(deploymentRepositories(deployment, 'base2')).toEqual(['base2']);
    const droplets = {
      ...deployment.droplets!,
      container: { ...deployment.droplets!.container, image: 'registry.digitalocean.com/base2/worker:1' },
    };
    expect(deploymentRepositories({ ...deployment, droplets }, 'base2')).toEqual(['base2', 'worker']);
    // DOCR app images always live in the account's registry; a droplet image elsewhere is not ours to clean.
    expect(deploymentRepositories({ ...deployment, droplets }, 'other')).toEqual(['base2']);
  });

  it('finds untagged manifests and the digests deployments pin', () => {
    expect(
      untaggedDigests('base2', [
        { digest: 'sha256:1', tags: ['latest'] },
        { digest: 'sha256:2', tags: [] },
      ]),
    ).toEqual(['base2@sha256:2']);
    const app = (digest?: string, live?: string): AppState =>
      ({
        id: 'a',
        name: 'x',
        spec: {
          name: 'x',
          services: [
            {
              name: 'web',
              image: {
                registry_type: 'DOCR',
                repository: 'base2',
                ...(digest ? { digest } : { tag: 'latest' }),
              },
            },
          ],
        },
        ...(live
          ? {
              active: {
                id: 'd',
                phase: 'ACTIVE',
                spec: {
                  name: 'x',
                  services: [
                    { name: 'web', image: { registry_type: 'DOCR', repository: 'base2', digest: live } },
                  ],
                },
                progress: { success: 0, total: 0, error: 0, steps: [] },
              },
            }
          : {}),
      }) as AppState;
    expect([...pinnedDigests([app(), app('sha256:3', 'sha256:4')])].sort()).toEqual([
      'base2@sha256:3',
      'base2@sha256:4',
    ]);
  });

  it('says why it does not collect', () => {
    const plan = { registry: 'base2', untagged: ['base2@sha256:2'] };
    expect(garbageReport(plan, true)).toMatchObject({ state: 'would start', untagged_manifests: 1 });
    expect(garbageReport({ ...plan, running: 'u1' }, false)).toMatchObject({ state: 'running', uuid: 'u1' });
    expect(garbageReport({ ...plan, blocked: 'pinned' }, false)).toMatchObject({
      state: 'skipped',
      detail: 'pinned',
    });
  });
});
