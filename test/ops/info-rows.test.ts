import { describe, expect, it } from 'vitest';
import { OWNER_TAG } from '../../lib/config/identity.js';
import {
  appRow,
  dropletOwner,
  firewallOwner,
  namespaceRow,
  repositoryRow,
} from '../../lib/ops/info/flatten.js';
import { formatBytes, formatTime, table } from '../../lib/ops/info/table.js';
import type { AppState } from '../../lib/resources/app/index.js';
import type { NormalFirewall } from '../../lib/resources/firewall/rules.js';

const SLUG = 'base2-staging';

describe('table', () => {
  it('aligns every column to its widest value, leaves no trailing spaces, and says "none" when empty', () => {
    const text = table(
      'Droplets',
      ['NAME', 'ID', 'OWNER'],
      [
        ['base2-staging-1', 1, undefined],
        ['web', 12345, 'base2-staging'],
      ],
    );
    expect(text.split('\n')).toEqual([
      'Droplets',
      '  NAME             ID     OWNER',
      '  base2-staging-1  1      -',
      '  web              12345  base2-staging',
    ]);
    expect(table('Firewalls', ['NAME'], [])).toBe('Firewalls: none');
  });

  it('shows booleans as yes/no and keeps a multi-line value on one line', () => {
    expect(table('T', ['A', 'B'], [[true, 'one\n  two']]).split('\n')[2]).toBe('  yes  one two');
  });

  it('formats storage and times for people', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(80_530_637)).toBe('76.8 MiB');
    expect(formatBytes(undefined)).toBeUndefined();
    expect(formatTime('2024-05-01T12:34:56.789Z')).toBe('2024-05-01 12:34');
  });
});

describe('flattening what DigitalOcean answers into rows', () => {
  it('a Functions namespace row carries neither its key nor its uuid field', () => {
    const row = namespaceRow({
      label: 'ops',
      region: 'nyc1',
      apiHost: 'https://faas-nyc1-2ef2e6cc.doserverless.co',
      namespace: 'fn-0e6f0b9b',
      uuid: '0e6f0b9b-uuid',
      key: 'planted-namespace-key',
      createdAt: '2024-05-01T00:00:00Z',
    });
    expect(row).toEqual({
      label: 'ops',
      region: 'nyc1',
      api_host: 'https://faas-nyc1-2ef2e6cc.doserverless.co',
      namespace: 'fn-0e6f0b9b',
      created_at: '2024-05-01T00:00:00Z',
    });
    expect(JSON.stringify(row)).not.toContain('planted-namespace-key');
  });

  it('a droplet is a deployment’s only with its slug tag, the ownership tag and a name it starts', () => {
    expect(dropletOwner({ name: `${SLUG}-abc-1`, tags: [SLUG, OWNER_TAG] })).toBe(SLUG);
    expect(dropletOwner({ name: `${SLUG}-abc-1`, tags: [SLUG] })).toBeUndefined();
    expect(dropletOwner({ name: 'web-1', tags: [SLUG, OWNER_TAG] })).toBeUndefined();
    expect(dropletOwner({ name: `${SLUG}-abc-1`, tags: ['team', SLUG, OWNER_TAG] })).toBe(SLUG);
  });

  it('a firewall is a deployment’s only as `<slug>-fw` applied to the tag `<slug>`', () => {
    const normal = (tags: string[]): NormalFirewall => ({
      name: '',
      tags,
      dropletIds: [],
      inbound: [],
      outbound: [],
    });
    expect(firewallOwner({ name: `${SLUG}-fw`, normal: normal([SLUG]) })).toBe(SLUG);
    expect(firewallOwner({ name: `${SLUG}-fw`, normal: normal(['team-a']) })).toBeUndefined();
    expect(firewallOwner({ name: 'edge', normal: normal([SLUG]) })).toBeUndefined();
  });

  it('an app row has its phases with progress and its components with instances, never the spec', () => {
    const app: AppState = {
      id: 'a1b2c3d4-0000',
      name: SLUG,
      spec: {
        name: SLUG,
        services: [
          {
            name: 'web',
            instance_count: 2,
            instance_size_slug: 'apps-s-1vcpu-1gb',
            image: { registry_type: 'DOCR', repository: 'base2', tag: '1.4.2' },
            envs: [{ key: 'TOKEN', value: 'EV[1:secret]', type: 'SECRET' }],
          },
        ],
        workers: [{ name: 'queue' }],
      },
      liveUrl: 'https://base2-staging.ondigitalocean.app',
      active: { id: 'dep-1', phase: 'ACTIVE', progress: { success: 6, total: 6, error: 0, steps: [] } },
      inProgress: { id: 'dep-2', phase: 'BUILDING', progress: { success: 2, total: 6, error: 0, steps: [] } },
    };
    const row = appRow(app, { owner: SLUG }, ['services.web.instance_count: 2 → 1']);
    expect(row).toEqual({
      id: 'a1b2c3d4-0000',
      name: SLUG,
      owner: SLUG,
      live_url: 'https://base2-staging.ondigitalocean.app',
      active_deployment: { id: 'dep-1', phase: 'ACTIVE', progress: '6/6' },
      in_progress_deployment: { id: 'dep-2', phase: 'BUILDING', progress: '2/6' },
      components: [
        {
          kind: 'service',
          name: 'web',
          instance_count: 2,
          instance_size: 'apps-s-1vcpu-1gb',
          image: 'base2:1.4.2',
        },
        { kind: 'worker', name: 'queue' },
      ],
      differences: ['services.web.instance_count: 2 → 1'],
    });
    expect(JSON.stringify(row)).not.toContain('EV[1:');
  });

  it('a repository row names the newest manifest’s tags', () => {
    const updatedAt = new Date('2024-05-01T10:00:00Z');
    expect(
      repositoryRow({
        name: 'base2',
        tagCount: 3,
        manifestCount: 2,
        latestManifest: { tags: ['1.4.2', 'latest'], updatedAt },
      }),
    ).toEqual({
      name: 'base2',
      tag_count: 3,
      manifest_count: 2,
      latest_tags: ['1.4.2', 'latest'],
      latest_updated_at: '2024-05-01T10:00:00.000Z',
    });
  });
});
