// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} in plain strings is the substitution syntax under test
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { joinPath, parseInput } from '../../lib/config/input.js';
import { loadManifest, resolveDeployment } from '../../lib/config/manifest.js';
import { parseYaml, readYamlFile } from '../../lib/config/yaml-file.js';
import { InputError } from '../../lib/errors.js';
import { deployInputSchema } from '../../lib/ops/deploy/input.js';
import { editInputSchema } from '../../lib/ops/edit/input.js';
import { APP_SPEC, thrown, writeManifest } from './temp-project.js';

describe('input that would otherwise be misread', () => {
  it('refuses a misspelt field instead of running without it (dryrun is not dry_run)', () => {
    expect(() => parseInput(deployInputSchema, { env: 'staging', dryrun: true }, 'The deploy input')).toThrow(
      /dryrun/,
    );
  });

  it('refuses a manifest path that is not a regular file, such as /dev/zero, at once', () => {
    expect(() => readYamlFile('/dev/zero', {}, 'deployment.yml')).toThrow(/not a regular file/);
  });

  it('reports an alias bomb or an unknown alias as invalid YAML without quoting the source', () => {
    const bomb = [
      'a: &a [x, x, x, x, x, x, x, x, x]',
      ...'bcdefgh'.split('').map((k, i) => `${k}: &${k} [${Array(9).fill(`*${'abcdefgh'[i]}`).join(', ')}]`),
    ].join('\n');
    expect(() => parseYaml(bomb, 'deployment.yml')).toThrow(InputError);
    try {
      parseYaml('value: *hunter2-secret', 'deployment.yml');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(InputError);
      expect((error as Error).message).not.toContain('hunter2');
    }
  });
});

describe('bounded field values', () => {
  it('refuses a health path with control characters and oversized keys and slugs', async () => {
    const { httpPathSchema, envKeySchema } = await import('../../lib/config/fields.js');
    const { sizeSlugSchema } = await import('../../lib/ops/edit/input-fields.js');
    expect(httpPathSchema.safeParse('/healthz').success).toBe(true);
    expect(httpPathSchema.safeParse('/healthz\r\nHost: evil').success).toBe(false);
    expect(envKeySchema.safeParse('A'.repeat(1_000_000)).success).toBe(false);
    expect(sizeSlugSchema.safeParse('s'.repeat(1_000_000)).success).toBe(false);
  });
});

describe('variables filled into values, not into the YAML text', () => {
  it('keeps a SECRET env var SECRET when its value holds a line break and YAML syntax', async () => {
    const { loadAppSpec } = await import('../../lib/config/app-spec.js');
    const path = fileURLToPath(new URL('../../.do/app.yaml', import.meta.url));
    const secret = 'abc\n        type: GENERAL\n      - key: INJECTED\n        value: x';
    const spec = loadAppSpec(path, { BASE2_SECRET_KEY: secret });
    const envs = spec.services?.flatMap((service) => service.envs ?? []) ?? [];
    expect(envs.map((env) => env.key)).not.toContain('INJECTED');
    expect(envs.find((env) => env.key === 'BASE2_SECRET_KEY')).toMatchObject({
      value: secret,
      type: 'SECRET',
    });
  });

  it('deploys a manifest value with " #" whole instead of cutting it at the hash', () => {
    const head = 'name: shop\nregion: fra1\nenvironments: { staging: {} }\n';
    const file = writeManifest(
      `${head}app: { spec: app.yaml }\n`,
      `${APP_SPEC}    envs: [{ key: NOTE, value: \${NOTE} }]\n`,
    );
    const spec = resolveDeployment(loadManifest(file, { NOTE: 'abc #def' }), 'staging').app?.spec;
    expect(spec?.services?.[0]?.envs).toEqual([{ key: 'NOTE', value: 'abc #def' }]);
  });
});

describe('keys that would be dropped or forge a message', () => {
  it('refuses __proto__ as a component or key instead of dropping it', () => {
    const edit = (input: Record<string, unknown>) =>
      thrown(InputError, () => parseInput(editInputSchema, { env: 'staging', ...input }, 'The edit input'));
    expect(edit({ app_instances: '__proto__=2' }).problems).toEqual([
      { path: 'app_instances', message: expect.stringMatching(/__proto__ is not a component name/) },
    ]);
    expect(edit({ app_instances: 'web=2,web=3' }).problems).toEqual([
      { path: 'app_instances', message: expect.stringMatching(/names a component twice/) },
    ]);
    expect(edit({ set_env: JSON.parse('{"A": "1", "__proto__": "2"}') }).problems).toEqual([
      { path: 'set_env.__proto__', message: 'is not an accepted key' },
    ]);
  });

  it('quotes a caller key with a line break, so a problem stays one line that cannot forge another', () => {
    const error = thrown(InputError, () =>
      parseInput(editInputSchema, { env: 'staging', set_env: { 'A\r\nB: is fine': 'x' } }, 'The edit input'),
    );
    expect(error.message).not.toMatch(/[\r\n]/);
    expect(error.problems[0]?.path).toBe('set_env."A\\r\\nB: is fine"');
    expect(joinPath(['droplets', 'count'])).toBe('droplets.count');
    expect(joinPath(['env', 'k'.repeat(10_000)]).length).toBeLessThan(100);
  });
});

describe('a base value every environment overrides', () => {
  const base = 'name: shop\nregion: fra1\napp: { spec: app.yaml }\n';
  const droplets = (count: string) =>
    `droplets:\n  count: ${count}\n  size: s-1vcpu-1gb\n  image: debian-12-x64\n  ssh_key: { public_key: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJeX1kgymIaelKiSqc7R9gXuaWcWSLoQsfOiFyHXIcgV x" }\n  container: { image: "registry.digitalocean.com/shop/web:1", port: 80 }\n`;

  it('is still checked, and named at its base path', () => {
    const file = writeManifest(
      `${base}${droplets('banana')}environments:\n  staging: { droplets: { count: 1 } }\n  production: { droplets: { count: 2 } }\n`,
    );
    expect(thrown(InputError, () => loadManifest(file, {})).problems).toEqual([
      {
        path: 'droplets.count',
        message: expect.stringMatching(/integer.*every environment overrides this value/),
      },
    ]);
  });

  it('is not reported twice when an environment uses it, nor when a mapping only merges into it', () => {
    const file = writeManifest(
      `${base}${droplets('banana')}environments:\n  staging: { droplets: { count: 1 } }\n  production: { droplets: { size: s-2vcpu-2gb } }\n`,
    );
    expect(thrown(InputError, () => loadManifest(file, {})).problems).toEqual([
      { path: 'droplets.count', message: expect.stringMatching(/integer.*\(in environment production\)$/) },
    ]);
    const fine = writeManifest(
      `${base}${droplets('1')}environments:\n  staging: { droplets: { count: 2 } }\n`,
    );
    expect(() => loadManifest(fine, {})).not.toThrow();
  });
});
