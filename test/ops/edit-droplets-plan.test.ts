import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OWNER_TAG } from '../../lib/config/identity.js';
import { loadManifest, resolveDeployment } from '../../lib/config/manifest.js';
import { dropletBaseline, planDropletEdit, withDroplets } from '../../lib/ops/edit/droplets-edit.js';
import type { ChangeSet } from '../../lib/ops/edit/input.js';
import { planRecordEdit } from '../../lib/ops/edit/records-edit.js';
import { dropletShapeCheck } from '../../lib/ops/edit/verify.js';
import type { DomainActual } from '../../lib/resources/domain/index.js';
import {
  type ActualDroplets,
  type DesiredDroplets,
  type DropletState,
  desiredDroplets,
  type ImageRef,
} from '../../lib/resources/droplets/index.js';
import { ROOT, SAMPLE_ENV, TEST_REGISTRY } from '../support/op-context.js';

const deployment = resolveDeployment(loadManifest(join(ROOT, 'deployment.yml'), SAMPLE_ENV), 'staging');
const IMAGE = deployment.droplets!.container.image;

function changes(parts: Partial<Pick<ChangeSet, 'droplets' | 'image' | 'records'>> = {}): ChangeSet {
  return {
    app: { scale: {}, setEnv: {}, unsetEnv: [] },
    droplets: {},
    records: { add: [], remove: [] },
    ...parts,
  };
}

let nextId = 1;
function running(desired: DesiredDroplets, count = desired.count): ActualDroplets {
  const owned: DropletState[] = Array.from({ length: count }, (_, i) => ({
    id: nextId++,
    name: `${desired.slug}-${desired.generation}-${i + 1}`,
    status: 'active',
    size: desired.size,
    region: desired.region,
    image: desired.image,
    tags: [desired.slug, OWNER_TAG],
    createdAt: 1_700_000_000_000 + nextId,
    publicIpv4: `10.0.0.${nextId}`,
    locked: false,
  }));
  return { slug: desired.slug, owned, lookalikes: [], accountScanned: true };
}

const plan = (c: ChangeSet, actual: ActualDroplets, hints: ImageRef[] = []) =>
  planDropletEdit(deployment, c, actual, dropletBaseline(deployment, actual, hints));
const fields = (count: number, size = 's-1vcpu-1gb', image = IMAGE) => ({ count, size, image });
const desiredWith = (f: ReturnType<typeof fields>) => desiredDroplets(withDroplets(deployment, f))!;
const lines = (steps: { action: string; name: string; reason: string; deferred?: boolean }[]) =>
  steps.map(
    (s) =>
      `${s.action}${s.deferred ? ' (deferred)' : ''} ${s.name.replace(/-[0-9a-f]{6}-/, '-<gen>-')}: ${s.reason}`,
  );

describe('the droplets part of an edit', () => {
  it('starts from what runs now, not from the manifest: 3 droplets running stay 3 when only the size changes', () => {
    const actual = running(desiredWith(fields(3)));
    const { edit } = plan(changes({ droplets: { size: 's-2vcpu-2gb' } }), actual, []);
    expect(edit?.changes).toEqual(['droplets.size: s-1vcpu-1gb → s-2vcpu-2gb']);
    expect(lines(edit!.steps)).toEqual([
      'update base2-staging-<gen>-1: size s-1vcpu-1gb → s-2vcpu-2gb',
      'update base2-staging-<gen>-2: size s-1vcpu-1gb → s-2vcpu-2gb',
      'update base2-staging-<gen>-3: size s-1vcpu-1gb → s-2vcpu-2gb',
    ]);
    expect(edit?.previous.count).toBe(3);
  });

  it('scales up by creating the missing names and down by deleting the highest ones', () => {
    const actual = running(desiredWith(fields(2)));
    const up = plan(changes({ droplets: { count: 4 } }), actual, []).edit!;
    expect(lines(up.steps)).toEqual([
      'create base2-staging-<gen>-3: missing',
      'create base2-staging-<gen>-4: missing',
    ]);
    const down = plan(changes({ droplets: { count: 1 } }), actual, []).edit!;
    expect(lines(down.steps)).toEqual(['delete base2-staging-<gen>-2: beyond count 1']);
  });

  it('an image change makes a new generation, the old one retired only once the new has verified', () => {
    const actual = running(desiredWith(fields(2)));
    const { edit } = plan(changes({ image: { tag: '1.4.2' } }), actual, []);
    expect(edit?.next.generation).not.toBe(edit?.previous.generation);
    expect(lines(edit!.steps).map((l) => l.replace(/generation [0-9a-f]+/, 'generation <new>'))).toEqual([
      'create base2-staging-<gen>-1: missing',
      'create base2-staging-<gen>-2: missing',
      'delete (deferred) base2-staging-<gen>-1: replaced by generation <new>',
      'delete (deferred) base2-staging-<gen>-2: replaced by generation <new>',
    ]);
    expect(edit?.changes).toEqual([
      `droplets.container.image: ${IMAGE} → registry.digitalocean.com/${TEST_REGISTRY}/base2:1.4.2`,
    ]);
  });

  it('recognises droplets running the image the app runs (an earlier edit of both) and keeps it', () => {
    const actual = running(
      desiredWith(fields(2, 's-1vcpu-1gb', `registry.digitalocean.com/${TEST_REGISTRY}/base2:1.4.2`)),
    );
    expect(dropletBaseline(deployment, actual, [{ tag: '1.4.2' }])?.image).toBe(
      `registry.digitalocean.com/${TEST_REGISTRY}/base2:1.4.2`,
    );
    const { edit } = plan(changes({ droplets: { count: 3 } }), actual, [{ tag: '1.4.2' }]);
    expect(lines(edit!.steps)).toEqual(['create base2-staging-<gen>-3: missing']);
  });

  it('refuses to guess when the droplets run a generation it cannot explain', () => {
    const actual = running(
      desiredWith(fields(2, 's-1vcpu-1gb', 'registry.digitalocean.com/base2/base2:9.9')),
    );
    const { edit, problems } = plan(changes({ droplets: { count: 3 } }), actual, []);
    expect(edit).toBeUndefined();
    expect(problems[0]?.path).toBe('scale.droplets');
    expect(problems[0]?.message).toMatch(/run deploy first$/);
  });

  it('checks the new shape: exactly the asked names of the new generation, each of the asked size', () => {
    const desired = desiredWith(fields(2));
    const actual = running(desired);
    expect(dropletShapeCheck(desired, actual.owned).ok).toBe(true);
    expect(dropletShapeCheck(desiredWith(fields(3)), actual.owned).ok).toBe(false);
    const resized = desiredWith(fields(2, 's-2vcpu-2gb'));
    expect(dropletShapeCheck(resized, actual.owned).detail).toMatch(/other size: .*-1 \(s-1vcpu-1gb\)/);
  });
});

describe('the records part of an edit', () => {
  const actual: DomainActual = {
    slug: 'base2-staging',
    domain: 'staging.base2.example.com',
    exists: true,
    records: [
      { id: 1, type: 'TXT', name: '_base2-do', data: `${OWNER_TAG} base2-staging`, ttl: 300 },
      { id: 2, type: 'A', name: '@', data: '10.0.0.2', ttl: 300 },
      { id: 3, type: 'TXT', name: 'verify', data: 'one', ttl: 300 },
      { id: 4, type: 'TXT', name: 'verify', data: 'two', ttl: 300 },
    ],
    managed: [{ type: 'A', name: '@' }],
  };
  const records = (add: ChangeSet['records']['add'], remove: ChangeSet['records']['remove']) =>
    planRecordEdit(deployment, changes({ records: { add, remove } }), actual);

  it('adds what is missing, skips what is there, and removes by value or every value of a name', () => {
    const { edit, warnings } = records(
      [
        { type: 'CNAME', name: 'Docs', data: 'example.org.' },
        { type: 'A', name: '@', data: '10.0.0.2' },
      ],
      [{ type: 'TXT', name: 'verify' }],
    );
    expect(edit?.steps.map((s) => `${s.action} ${s.name}: ${s.reason}`)).toEqual([
      'create CNAME docs: added by edit: example.org',
      'delete TXT verify: removed by edit: one',
      'delete TXT verify: removed by edit: two',
    ]);
    expect(edit?.steps[0]?.payload).toMatchObject({ data: 'example.org.', ttl: 300 });
    expect(warnings).toEqual([
      'DNS A @.staging.base2.example.com is managed by deployment.yml: the next deploy writes it back as the manifest says.',
    ]);
    expect(records([], [{ type: 'TXT', name: 'verify', data: 'two' }]).edit?.steps.map((s) => s.id)).toEqual([
      '4',
    ]);
  });

  it('never removes the marker that says the tool created the domain, and needs the domain to exist', () => {
    expect(records([], [{ type: 'TXT', name: '_base2-do' }]).problems[0]?.path).toBe('records.remove.0');
    const missing = planRecordEdit(
      deployment,
      changes({ records: { add: [{ type: 'A', name: 'x', data: '192.0.2.1' }], remove: [] } }),
      {
        ...actual,
        exists: false,
        records: [],
      },
    );
    expect(missing.problems).toEqual([
      {
        path: 'records',
        message: 'the domain staging.base2.example.com does not exist yet: run deploy first',
      },
    ]);
  });
});
