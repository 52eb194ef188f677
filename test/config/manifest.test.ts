// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} in plain strings is the substitution syntax under test
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadManifest, resolveDeployment } from '../../lib/config/manifest.js';
import { InputError } from '../../lib/errors.js';
import { FIXTURES, tempProject, thrown, writeManifest as write } from './temp-project.js';

const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJeX1kgymIaelKiSqc7R9gXuaWcWSLoQsfOiFyHXIcgV test';
const DROPLETS = `droplets:
  count: 1
  size: s-1vcpu-1gb
  image: debian-12-x64
  ssh_key: { public_key: ${KEY} }
  container: { image: registry.digitalocean.com/shop/shop:1, port: 3000 }
`;

const minimal = () => loadManifest(join(FIXTURES, 'minimal', 'deployment.yml'), {});
const manifestError = (file: string, env: Record<string, string> = {}) =>
  thrown(InputError, () => loadManifest(file, env));
const paths = (error: InputError) => error.problems.map((problem) => problem.path);

describe('loadManifest and resolveDeployment', () => {
  it('resolves an environment without overrides to the base sections', () => {
    const staging = resolveDeployment(minimal(), 'staging');
    expect(staging).toMatchObject({
      name: 'shop',
      environment: 'staging',
      slug: 'shop-staging',
      region: 'fra1',
    });
    expect(staging.droplets).toMatchObject({
      count: 1,
      region: 'fra1',
      health: { port: 80, path: '/healthz' },
    });
    expect(staging.droplets?.container.env).toEqual({ MODE: 'staging', WORKERS: '2' });
    expect(staging.app?.spec).toMatchObject({ name: 'shop-staging', region: 'fra' });
    expect(staging.domain?.records).toHaveLength(2);
  });

  it('deep-merges an environment: mappings merge, lists replace, the region moves everything', () => {
    const production = resolveDeployment(minimal(), 'production');
    expect(production.region).toBe('ams3');
    expect(production.droplets).toMatchObject({ count: 3, size: 's-1vcpu-1gb', region: 'ams3' });
    expect(production.droplets?.container).toEqual({
      image: 'registry.digitalocean.com/shop/shop:1.0.0',
      port: 3000,
      env: { MODE: 'production', WORKERS: '2' },
    });
    expect(production.domain).toEqual({
      name: 'shop.example.org',
      records: [{ type: 'A', name: '@', target: 'droplets' }],
    });
    expect(production.app?.spec).toMatchObject({ name: 'shop-production', region: 'ams' });
  });

  it('lets DO_REGION move a deployment, except sections that name their own region', () => {
    const moved = resolveDeployment(minimal(), 'staging', { region: 'sfo3' });
    expect(moved.region).toBe('sfo3');
    expect(moved.droplets?.region).toBe('sfo3');
    expect(moved.app?.spec.region).toBe('sfo');
    const pinned = loadManifest(
      write(`name: shop\nregion: fra1\nenvironments: { staging: {} }\n${DROPLETS}  region: lon1\n`),
      {},
    );
    expect(resolveDeployment(pinned, 'staging', { region: 'sfo3' }).droplets?.region).toBe('lon1');
  });

  it('removes a section for an environment that sets it to null', () => {
    const file = write(
      `name: shop\nregion: fra1\nenvironments:\n  staging: { droplets: null }\n  production: {}\n${DROPLETS}`,
    );
    const manifest = loadManifest(file, {});
    expect(resolveDeployment(manifest, 'staging').droplets).toBeUndefined();
    expect(resolveDeployment(manifest, 'production').droplets?.count).toBe(1);
  });

  it('refuses an unknown environment, listing the known ones', () => {
    const error = thrown(InputError, () => resolveDeployment(minimal(), 'qa'));
    expect(error.problems).toEqual([
      {
        path: 'env',
        message: expect.stringMatching(/"qa" is not an environment .*: choose one of staging, production$/),
      },
    ]);
  });

  it('reports every problem of every section at once, naming the file and the field path', () => {
    const file = join(FIXTURES, 'invalid-sections', 'deployment.yml');
    const error = manifestError(file);
    expect(error.message.startsWith(`${file} is invalid: name: must be`)).toBe(true);
    expect(error.problems).toContainEqual({
      path: 'droplets.count',
      message: 'must be an integer between 0 and 50',
    });
    expect(paths(error)).toEqual([
      'name',
      'region',
      'registry.name',
      'registry.subscription_tier',
      'app.verify.expect_status',
      'droplets.count',
      'droplets.size',
      'droplets.ssh_key.public_key',
      'droplets.container.port',
      'droplets.helth',
      'domain.name',
      'domain.records.0.type',
      'domain.records.1.target',
      'domain.records.2.name',
      'firewall.inbound.0.sources.addresses.0',
      'firewall.inbound.0.ports',
      'firewall.inbound.1.ports',
      'firewall.inbound.1.sources',
    ]);
  });

  it('points at environments.<env>.<field> when an override is wrong', () => {
    const error = manifestError(join(FIXTURES, 'override-errors', 'deployment.yml'));
    expect(error.problems).toEqual([
      { path: 'environments.production.firewal', message: expect.stringMatching(/is not a known field/) },
      { path: 'environments.production.droplets.count', message: 'must be an integer between 0 and 50' },
    ]);
  });

  it('says which environment lacks a field that only some environments need', () => {
    const file = write(
      'name: shop\nregion: fra1\nenvironments:\n  staging: {}\n  production:\n' +
        '    droplets: { count: 1, size: s-1vcpu-1gb, image: debian-12-x64, container: { image: shop, port: 80 } }\n',
    );
    expect(manifestError(file).problems).toEqual([
      { path: 'droplets.ssh_key', message: 'is required (in environment production)' },
    ]);
  });

  it('requires at least one well-named environment', () => {
    expect(manifestError(write('name: shop\nregion: fra1\nenvironments: {}\n')).problems).toEqual([
      { path: 'environments', message: expect.stringMatching(/at least one environment/) },
    ]);
    expect(paths(manifestError(write('name: shop\nregion: fra1\n')))).toEqual(['environments']);
    const badName = manifestError(
      write('name: shop\nregion: fra1\nenvironments: { Prod: {}, qa: { dropletz: {} } }\n'),
    );
    expect(paths(badName)).toEqual(['environments.Prod', 'environments.qa.dropletz']);
  });

  it('refuses an environment whose slug cannot name an app', () => {
    const file = write(
      'name: shop-with-a-long-name\nregion: fra1\nenvironments: { staging: {}, production-europe: {} }\n',
    );
    expect(manifestError(file).problems).toEqual([
      {
        path: 'name',
        message: expect.stringMatching(
          /"shop-with-a-long-name-production-europe" .* \(in environment production-europe\)$/,
        ),
      },
    ]);
  });

  it('refuses one domain for two environments, since a domain belongs to one deployment', () => {
    const file = write(
      'name: shop\nregion: fra1\nenvironments: { staging: {}, production: {} }\ndomain: { name: shop.example.org }\n',
    );
    expect(manifestError(file).problems).toEqual([
      {
        path: 'domain.name',
        message: expect.stringMatching(/staging and production; .* \(e\.g\. staging\.shop\.example\.org\)$/),
      },
    ]);
  });

  it('refuses records that point at a section the environment does not have', () => {
    const file = write(
      'name: shop\nregion: fra1\nenvironments: { staging: {} }\n' +
        "domain: { name: shop.example.org, records: [{ type: CNAME, name: www, target: app }, { type: A, name: '@', target: droplets }] }\n",
    );
    expect(manifestError(file).problems).toEqual([
      { path: 'domain.records.0.target', message: 'points at the app, but there is no app section' },
      {
        path: 'domain.records.1.target',
        message: 'points at the droplets, but there is no droplets section',
      },
    ]);
  });

  it('refuses droplets.ipv6: false beside an AAAA record that points at the droplets', () => {
    const records =
      "domain: { name: shop.example.org, records: [{ type: A, name: '@', target: droplets }, { type: AAAA, name: '@', target: droplets }] }\n";
    const head = 'name: shop\nregion: fra1\nenvironments: { staging: {} }\n';
    const file = write(`${head}${DROPLETS}  ipv6: false\n${records}`);
    expect(manifestError(file).problems).toEqual([
      {
        path: 'droplets.ipv6',
        message:
          "is false, but domain.records.1 is an AAAA record pointing at the droplets' IPv6 addresses: set it to true (or leave it out), or remove that record",
      },
    ]);
    const auto = resolveDeployment(loadManifest(write(`${head}${DROPLETS}${records}`), {}), 'staging');
    expect(auto.droplets?.ipv6).toBeUndefined();
    expect(manifestError(write(`${head}${DROPLETS}  ipv6: 'yes'\n`)).problems).toEqual([
      { path: 'droplets.ipv6', message: 'must be true or false' },
    ]);
  });

  it('places the registry in the deployment region, or asks for one where there is no registry', () => {
    const registry = 'registry: { name: shop, subscription_tier: basic }\n';
    const ok = loadManifest(
      write(`name: shop\nregion: fra1\nenvironments: { staging: {} }\n${registry}`),
      {},
    );
    expect(resolveDeployment(ok, 'staging', { region: 'lon1' }).registry).toEqual({
      name: 'shop',
      subscription_tier: 'basic',
      region: 'fra1',
    });
    const file = write(`name: shop\nregion: lon1\nenvironments: { staging: {} }\n${registry}`);
    expect(manifestError(file).problems).toEqual([
      { path: 'registry.region', message: expect.stringMatching(/lon1 has no container registry/) },
    ]);
  });

  it('refuses droplets that pull from a registry other than registry.name, saying what to write', () => {
    const base = `name: shop\nregion: fra1\nenvironments: { staging: {} }\n${DROPLETS}`;
    const tied = loadManifest(write(`${base}registry: { name: shop, subscription_tier: basic }\n`), {});
    expect(resolveDeployment(tied, 'staging').registry?.name).toBe('shop');
    const file = write(`${base}registry: { name: shop-images, subscription_tier: basic }\n`);
    expect(manifestError(file).problems).toEqual([
      {
        path: 'droplets.container.image',
        message: expect.stringContaining(
          'pulls from registry "shop", but registry.name is "shop-images": an account has one registry',
        ),
      },
    ]);
    expect(manifestError(file).problems[0]?.message).toContain(
      'write registry.digitalocean.com/shop-images/shop:1',
    );
    // Without a registry section the droplets may pull from any registry (the account's is not managed here).
    expect(loadManifest(write(base), {}).environments.staging?.droplets?.container.image).toBe(
      'registry.digitalocean.com/shop/shop:1',
    );
  });

  it('opens outbound traffic when the firewall leaves outbound out, and keeps an explicit empty list', () => {
    const open = loadManifest(
      write(
        "name: shop\nregion: fra1\nenvironments: { staging: {} }\nfirewall: { inbound: [{ protocol: tcp, ports: '22', sources: { tags: [ops] } }] }\n",
      ),
      {},
    );
    expect(resolveDeployment(open, 'staging').firewall?.outbound.map((rule) => rule.protocol)).toEqual([
      'tcp',
      'udp',
      'icmp',
    ]);
    const closed = loadManifest(
      write('name: shop\nregion: fra1\nenvironments: { staging: {} }\nfirewall: { outbound: [] }\n'),
      {},
    );
    expect(resolveDeployment(closed, 'staging').firewall).toEqual({ inbound: [], outbound: [] });
  });

  it('substitutes variables before parsing and lists unset ones by line', () => {
    const text = `name: shop\nregion: \${REGION:-fra1}\nenvironments: { staging: {} }\n${DROPLETS.replace('count: 1', 'count: ${COUNT}')}`;
    expect(resolveDeployment(loadManifest(write(text), { COUNT: '4' }), 'staging').droplets?.count).toBe(4);
    expect(manifestError(write(text)).problems).toEqual([
      { path: 'line 5', message: expect.stringMatching(/^\$\{COUNT\} is unset/) },
    ]);
  });

  it('never shows a substituted value in an error, even from a line YAML cannot parse', () => {
    const secret = 'planted-secret-value';
    const wrongField = manifestError(
      write(
        `name: shop\nregion: fra1\nenvironments: { staging: {} }\n${DROPLETS.replace('count: 1', 'count: ${S}')}`,
      ),
      { S: secret },
    );
    const badYaml = manifestError(
      write('name: shop\nregion: fra1\nenvironments: { staging: {} }\nkey: ${S}: [\n'),
      { S: secret },
    );
    expect(paths(badYaml)[0]).toMatch(/^line \d+$/);
    for (const error of [wrongField, badYaml]) {
      expect(JSON.stringify(error.toJSON())).not.toContain(secret);
      expect(error.message).not.toContain(secret);
    }
  });

  it('names a missing manifest file and a manifest that is not a mapping', () => {
    expect(manifestError(join(tempProject({}), 'deployment.yml')).problems).toEqual([
      { path: 'file', message: 'the file does not exist' },
    ]);
    expect(manifestError(write('- just\n- a list\n')).problems).toEqual([
      { path: 'manifest', message: expect.stringMatching(/must be a mapping/) },
    ]);
  });
});
