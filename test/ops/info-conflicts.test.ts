import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AppSpec } from '../../lib/config/app-spec.js';
import { OWNER_TAG } from '../../lib/config/identity.js';
import { ed25519KeyPair } from '../../lib/exec/keys.js';
import { type InfoResult, infoOperation, renderInfo } from '../../lib/ops/info/index.js';
import { expandSpec } from '../../lib/resources/app/index.js';
import { startTestEmulator, type TestEmulator } from '../support/emulator.js';
import { TEST_REGISTRY } from '../support/op-context.js';
import { runOp } from './support.js';

const MANIFEST = { BASE2_MANIFEST: 'test/ops/fixtures/deployment.yml' };
const SLUG = 'base2-staging';
const DOMAIN = 'staging.base2.example.com';
/** The fixture manifest's droplets.ssh_key when DO_SSH_PUBLIC_KEY is unset. */
const MANIFEST_KEY =
  'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJeX1kgymIaelKiSqc7R9gXuaWcWSLoQsfOiFyHXIcgV base2-placeholder';
let t: TestEmulator;

beforeAll(async () => {
  t = await startTestEmulator({ timeScale: 400 });
});
afterAll(async () => {
  await t.stop();
});
beforeEach(async () => {
  await t.admin('POST', '/_emulator/reset');
});

/**
 * Info in deployment scope; it must never write, whatever it finds. The staging domain is absent
 * from most of these accounts: that warning has its own test, so it is left out of `warnings`.
 */
async function info(input: Record<string, unknown> = { env: 'staging' }) {
  const { report } = await runOp<InfoResult>(t, infoOperation, input, { env: MANIFEST });
  expect(report.api_calls.mutating).toBe(0);
  const absentDomain = `Domain ${DOMAIN} (domain.name in deployment.yml) is not in this account yet`;
  return { ...report, warnings: report.warnings.filter((w) => !w.startsWith(absentDomain)) };
}

const createDroplet = async (name: string, tags: string[]) => {
  await t.dots.v2.droplets.post({
    name,
    region: 'nyc3',
    size: 's-1vcpu-1gb',
    image: 'debian-12-x64',
    tags,
  } as never);
};
/** Lets every droplet finish booting (virtual time), so it is active with its address. */
const bootAll = () => t.admin('POST', '/_emulator/clock', { advance_ms: 120_000 });
const records = () => t.dots.v2.domains.byDomain_name(DOMAIN).records;

describe('info warns about conflicts, saying what and what to do, and touches nothing', () => {
  it('a droplet with the slug tag but no ownership tag, and one named like ours without tags', async () => {
    await createDroplet(`${SLUG}-hand-1`, [SLUG]);
    await createDroplet(`${SLUG}-abc123-1`, []);
    const report = await info();
    expect(report.warnings).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          new RegExp(`${SLUG}-hand-1 .* carries the tag ${SLUG} but not ${OWNER_TAG}.*left alone`),
        ),
        expect.stringMatching(new RegExp(`${SLUG}-abc123-1 .* named like a droplet of ${SLUG}.*rename it`)),
      ]),
    );
    expect(report.result.droplets.map((d) => [d.name, d.owner, d.note])).toEqual([
      [`${SLUG}-abc123-1`, undefined, `named like ${SLUG}'s, without its tags`],
      [`${SLUG}-hand-1`, undefined, `tagged ${SLUG} without ${OWNER_TAG}`],
    ]);
    expect(renderInfo(report)).toContain(`not ours: tagged ${SLUG} without ${OWNER_TAG}`);
  });

  it('two droplets with the same name: owned duplicates in deployment scope, any duplicate in account scope', async () => {
    await createDroplet(`${SLUG}-abc123-1`, [SLUG, OWNER_TAG]);
    await createDroplet(`${SLUG}-abc123-1`, [SLUG, OWNER_TAG]);
    await createDroplet('web', []);
    await createDroplet('web', ['team-a']);
    const deployment = await info();
    expect(deployment.warnings).toEqual([
      expect.stringMatching(/^2 owned droplets are named base2-staging-abc123-1 /),
    ]);
    const account = await info({ scope: 'account' });
    expect(account.warnings).toEqual([
      expect.stringMatching(/^2 droplets are named base2-staging-abc123-1 .*all belong to base2-staging/),
      expect.stringMatching(/^2 droplets are named web .*rename or delete the extra ones/),
    ]);
  });

  it("an app with the deployment's name made by hand with another shape, and an app named like it", async () => {
    const byHand: AppSpec = {
      name: SLUG,
      region: 'nyc',
      services: [
        {
          name: 'api',
          image: { registry_type: 'DOCKER_HUB', registry: 'library', repository: 'nginx', tag: 'stable' },
          http_port: 80,
          instance_count: 2,
        },
      ],
    };
    await t.dots.v2.apps.post({ spec: expandSpec(byHand) });
    await t.dots.v2.apps.post({ spec: expandSpec({ ...byHand, name: `${SLUG}-old` }) });
    const report = await info();
    // Not the deployment's by any proof: said once, with what to do, and nothing plans to rewrite it.
    const [unproven, ...others] = report.warnings.filter((w) => w.startsWith(`App ${SLUG} `));
    expect(others).toEqual([]);
    expect(unproven).toContain("has the deployment's name but no proof that this tool made it");
    expect(unproven).toContain('deploy, edit, maintain and teardown leave it alone');
    expect(unproven).toContain('Rename or delete that app yourself');
    expect(unproven).toContain('--adopt-app');
    expect(report.warnings).toEqual(
      expect.arrayContaining([expect.stringMatching(new RegExp(`^app ${SLUG}-old .* is left alone`))]),
    );
    const [ours, lookAlike] = report.result.apps;
    expect(ours).toMatchObject({
      name: SLUG,
      note: expect.stringContaining('no proof this tool made it'),
      components: [{ name: 'api', instance_count: 2 }],
    });
    expect(ours).not.toHaveProperty('owner');
    expect(ours?.differences).toEqual(
      expect.arrayContaining(['services.web: added', 'services.api: removed']),
    );
    expect(lookAlike).toMatchObject({ name: `${SLUG}-old`, note: expect.stringContaining('exact name') });
    expect(renderInfo(report)).toContain(`${SLUG} differs from deployment.yml: `);
  });

  it('DNS records for managed names that point elsewhere before anything is deployed', async () => {
    await t.dots.v2.domains.post({ name: DOMAIN });
    await records().post({ type: 'A', name: '@', data: '203.0.113.9' });
    await records().post({ type: 'CNAME', name: 'app', data: 'elsewhere.example.net.' });
    await records().post({ type: 'TXT', name: 'www', data: 'unrelated' });
    const report = await info();
    expect(report.warnings).toEqual([
      expect.stringMatching(
        /^DNS A @\.staging\.base2\.example\.com points at 203\.0\.113\.9, .*no active droplets/,
      ),
      expect.stringMatching(
        /^DNS CNAME app\.staging\.base2\.example\.com points at elsewhere\.example\.net, /,
      ),
    ]);
    expect(report.warnings[0]).toContain('Deploy rewrites the record once they exist');
    const [domain] = report.result.domains;
    expect(domain?.records.map((r) => `${r.type} ${r.name} ${r.state}`)).toEqual([
      'A @ unverified',
      'CNAME app unverified',
    ]);
    expect(domain?.created_by).toBeUndefined();
    expect(domain?.other_records).toBeGreaterThan(0);
  });

  it("DNS records pointing away from the deployment's active droplets, wholly or in part", async () => {
    await createDroplet(`${SLUG}-abc123-1`, [SLUG, OWNER_TAG]);
    await bootAll();
    await t.dots.v2.domains.post({ name: DOMAIN });
    await records().post({ type: 'A', name: '@', data: '203.0.113.9' });
    const first = await info();
    const ours = first.result.droplets[0]?.public_ipv4;
    expect(ours).toMatch(/^127\./);
    expect(first.warnings).toEqual([
      `DNS A @.${DOMAIN} points at 203.0.113.9, not at this deployment's ${ours}: deployment.yml manages that name, so deploy rewrites it.`,
    ]);
    expect(first.result.domains[0]?.records).toEqual([
      expect.objectContaining({ state: 'points elsewhere' }),
    ]);

    await records().post({ type: 'A', name: '@', data: ours! });
    const second = await info();
    expect(second.warnings).toEqual([
      expect.stringContaining(`also points at 203.0.113.9, besides this deployment's ${ours}`),
    ]);
    expect(second.result.domains[0]?.records.map((r) => r.state).sort()).toEqual(['ok', 'points elsewhere']);
  });

  it('a firewall with our name that does not apply to our tag', async () => {
    await t.dots.v2.tags.post({ name: 'team-a' });
    await t.dots.v2.firewalls.post({
      name: `${SLUG}-fw`,
      tags: ['team-a'],
      inboundRules: [{ protocol: 'tcp', ports: '443', sources: { addresses: ['0.0.0.0/0'] } }],
    } as never);
    const report = await info();
    expect(report.warnings).toEqual([
      expect.stringMatching(
        new RegExp(
          `^Firewall ${SLUG}-fw .* has this deployment's name but does not apply to the tag ${SLUG}`,
        ),
      ),
    ]);
    expect(report.result.firewalls).toEqual([
      expect.objectContaining({ name: `${SLUG}-fw`, inbound: ['tcp 443 ← 0.0.0.0/0'], tags: ['team-a'] }),
    ]);
    expect(report.result.firewalls[0]?.owner).toBeUndefined();
  });

  it("the manifest's SSH key under another name, and our key name holding another key", async () => {
    await t.dots.v2.account.keys.post({ name: 'my laptop', publicKey: MANIFEST_KEY });
    const other = ed25519KeyPair().public;
    await t.dots.v2.account.keys.post({ name: `${SLUG}-key`, publicKey: other });
    const report = await info();
    expect(report.warnings).toEqual([
      expect.stringContaining('already registered as "my laptop"'),
      expect.stringMatching(new RegExp(`^SSH key ${SLUG}-key .* the next deploy swaps it`)),
    ]);
    expect(report.result.ssh_keys.map((k) => [k.name, k.owner ?? k.note])).toEqual([
      [`${SLUG}-key`, SLUG],
      ['my laptop', "holds droplets.ssh_key's public key under another name: used as it is"],
    ]);
    expect(report.result.ssh_keys[0]?.fingerprint).toMatch(/^([0-9a-f]{2}:){15}[0-9a-f]{2}$/);
  });

  it("a registry with another name than the manifest's, missing the deployment's images", async () => {
    await t.dots.v2.registry.post({ name: 'acme', subscriptionTierSlug: 'basic', region: 'nyc3' });
    await t.admin('POST', '/_emulator/registry/images', { repository: 'tools', tag: 'v1' });
    const report = await info();
    expect(report.warnings).toEqual([
      expect.stringContaining(`The account's container registry is "acme", not "${TEST_REGISTRY}"`),
      expect.stringContaining('Repository base2 (app component web) is not in registry acme: push'),
      expect.stringContaining(
        `droplets.container.image pulls from registry ${TEST_REGISTRY}, but the account's registry is acme`,
      ),
    ]);
    expect(report.result.registry).toMatchObject({ name: 'acme', repositories: [] });
    const account = await info({ scope: 'account' });
    expect(account.result.registry?.repositories).toEqual([
      expect.objectContaining({ name: 'tools', tag_count: 1, latest_tags: ['v1'] }),
    ]);
  });

  it('resources still owned of a section the environment no longer has', async () => {
    await createDroplet('base2-apponly-abc123-1', ['base2-apponly', OWNER_TAG]);
    const report = await info({ env: 'apponly' });
    expect(report.warnings).toEqual([
      expect.stringMatching(
        /^deployment\.yml has no droplets section for apponly, yet base2-apponly still owns 1 droplet\(s\) \(base2-apponly-abc123-1\): .*until teardown deletes it/,
      ),
    ]);
    expect(report.result.droplets.map((d) => d.owner)).toEqual(['base2-apponly']);
  });
});
