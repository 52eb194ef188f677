// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} in plain strings is the substitution syntax under test
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { secretValuesOf } from '../../lib/config/app-spec.js';
import { ENV_VARIABLES, loadEnv } from '../../lib/config/env.js';
import { loadManifest, resolveDeployment } from '../../lib/config/manifest.js';
import { isOpenSshPublicKey } from '../../lib/config/ssh-key.js';
import { ConfigError, InputError } from '../../lib/errors.js';
import { thrown } from './temp-project.js';

const root = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url));
const MANIFEST = root('deployment.yml');
/** The sample's registry is the user's to name (registry names are global on DigitalOcean). */
const REGISTRY = { DO_REGISTRY_NAME: 'acme-base2' };

describe('the shipped Base2 samples', () => {
  it.each(['staging', 'production'])(
    'deployment.yml and .do/app.yaml load and resolve for %s',
    (environment) => {
      const deployment = resolveDeployment(loadManifest(MANIFEST, REGISTRY), environment);
      const slug = `base2-${environment}`;
      expect(deployment).toMatchObject({ name: 'base2', environment, slug, region: 'nyc3' });
      expect(deployment.registry).toEqual({ name: 'acme-base2', subscription_tier: 'basic', region: 'nyc3' });
      expect(deployment.app?.spec).toMatchObject({ name: slug, region: 'nyc' });
      expect(deployment.app?.spec.services?.[0]).toMatchObject({
        name: 'web',
        http_port: 8080,
        instance_count: 1,
        image: { registry_type: 'DOCR', repository: 'base2', tag: 'latest' },
      });
      expect(deployment.droplets).toMatchObject({
        count: 2,
        region: 'nyc3',
        health: { port: 80, path: '/healthz' },
      });
      expect(deployment.droplets?.container.image).toBe('registry.digitalocean.com/acme-base2/base2:latest');
      expect(isOpenSshPublicKey(deployment.droplets?.ssh_key.public_key ?? '')).toBe(true);
      expect(deployment.domain?.records).toContainEqual({ type: 'CNAME', name: 'app', target: 'app' });
      expect(deployment.domain?.records).toContainEqual({ type: 'A', name: '@', target: 'droplets' });
      expect(deployment.firewall?.inbound.map((rule) => rule.ports)).toEqual(['22', '80', '443']);
    },
  );

  it('gives each environment its own domain and production bigger droplets', () => {
    const manifest = loadManifest(MANIFEST, REGISTRY);
    const staging = resolveDeployment(manifest, 'staging');
    const production = resolveDeployment(manifest, 'production');
    expect(staging.domain?.name).toBe('staging.base2.example.com');
    expect(production.domain?.name).toBe('base2.example.com');
    expect(staging.droplets?.size).toBe('s-1vcpu-1gb');
    expect(production.droplets?.size).toBe('s-2vcpu-2gb');
  });

  it('takes the health port, SSH key and app secret from the environment', () => {
    const publicKey = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJeX1kgymIaelKiSqc7R9gXuaWcWSLoQsfOiFyHXIcgV mine';
    const env = {
      ...REGISTRY,
      DO_HTTP_PORT: '18080',
      DO_SSH_PUBLIC_KEY: publicKey,
      BASE2_SECRET_KEY: 'k'.repeat(40),
    };
    const deployment = resolveDeployment(loadManifest(MANIFEST, env), 'staging');
    expect(deployment.droplets?.health.port).toBe(18080);
    expect(deployment.droplets?.ssh_key.public_key).toBe(publicKey);
    expect(secretValuesOf(deployment.app!.spec)).toEqual(['k'.repeat(40)]);
    expect(deployment.app?.spec.services?.[0]?.envs).toContainEqual({
      key: 'BASE2_PUBLIC_URL',
      value: '${APP_URL}',
      scope: 'RUN_TIME',
    });
  });

  it('needs the registry name from DO_REGISTRY_NAME, and says so when it is unset', () => {
    const error = thrown(InputError, () => loadManifest(MANIFEST, {}));
    const unset = error.problems.filter((problem) => problem.message.includes('DO_REGISTRY_NAME'));
    // registry.name and the droplets' image both read it.
    expect(unset).toHaveLength(2);
    expect(unset[0]?.message).toMatch(/unset or empty.*set DO_REGISTRY_NAME/);
  });

  it('.env.example documents every variable the tool and the samples read', () => {
    const documented = new Set(
      [...readFileSync(root('.env.example'), 'utf8').matchAll(/^#? ?([A-Z][A-Z0-9_]*)=/gm)].map(
        (match) => match[1],
      ),
    );
    const samples = [MANIFEST, root('.do/app.yaml')]
      .flatMap((file) => readFileSync(file, 'utf8').split('\n'))
      .filter((line) => !line.trimStart().startsWith('#'))
      .join('\n');
    const used = [...samples.matchAll(/\$\{([A-Z][A-Z0-9_]*)(?::-[^}]*)?\}/g)].map((match) => match[1] ?? '');
    const bindables = new Set(['APP_URL', 'APP_DOMAIN', 'APP_ID']);
    for (const name of [...ENV_VARIABLES, ...used.filter((name) => !bindables.has(name))]) {
      expect(documented.has(name), `${name} is not in .env.example`).toBe(true);
    }
  });

  it('.env.example holds placeholders only: its token does not pass validation', () => {
    const example = Object.fromEntries(
      [...readFileSync(root('.env.example'), 'utf8').matchAll(/^([A-Z][A-Z0-9_]*)=(.*)$/gm)].map((match) => [
        match[1],
        match[2],
      ]),
    );
    const error = thrown(ConfigError, () => loadEnv(example));
    expect(error.problems.map((problem) => problem.path)).toEqual(['DIGITALOCEAN_TOKEN']);
  });
});
