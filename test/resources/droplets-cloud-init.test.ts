import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadManifest, resolveDeployment } from '../../lib/config/manifest.js';
import { InputError } from '../../lib/errors.js';
import {
  type CloudInitSpec,
  CREDENTIAL_PLACEHOLDER,
  cloudInitSpec,
  isDocrImage,
  renderCloudInit,
} from '../../lib/resources/droplets/cloud-init.js';
import { ROOT, SAMPLE_ENV, TEST_REGISTRY } from '../support/op-context.js';

const deployment = () => {
  const d = resolveDeployment(loadManifest(join(ROOT, 'deployment.yml'), SAMPLE_ENV), 'staging');
  return { ...d, droplets: d.droplets! };
};

const spec: CloudInitSpec = {
  containerName: 'base2-staging',
  image: 'registry.digitalocean.com/base2/base2:latest',
  hostPort: 80,
  containerPort: 8080,
  env: [
    ['A', 'x: "y" # z'],
    ['BASE2_LOG_LEVEL', 'info'],
  ],
  registryLogin: true,
};

/** How cloud-init reads it: YAML 1.1 (PyYAML). */
const read = (text: string) => parse(text, { version: '1.1' });

describe('cloud-init', () => {
  it('takes its inputs from the manifest: image, ports, env sorted by name, DOCR login', () => {
    const d = deployment();
    d.droplets.container = { ...d.droplets.container, env: { Z: '1', BASE2_LOG_LEVEL: 'info' } };
    expect(cloudInitSpec(d)).toEqual({
      containerName: 'base2-staging',
      image: `registry.digitalocean.com/${TEST_REGISTRY}/base2:latest`,
      hostPort: 80,
      containerPort: 8080,
      env: [
        ['BASE2_LOG_LEVEL', 'info'],
        ['Z', '1'],
      ],
      registryLogin: true,
    });
    expect(isDocrImage('nginx:1.27')).toBe(false);
  });

  it('installs Docker only where the image has none, writes the env file and the registry login, runs the container, then drops the login', () => {
    const text = renderCloudInit(spec, 'Y3JlZDpjcmVk');
    expect(text.startsWith('#cloud-config\n')).toBe(true);
    const config = read(text);
    // No package_update or packages: on a Docker-ready image cloud-init touches no package.
    expect(config.packages).toBeUndefined();
    expect(config.package_update).toBeUndefined();
    expect(config.write_files).toEqual([
      {
        path: '/etc/base2-do/base2-staging.env',
        permissions: '0600',
        content: 'A=x: "y" # z\nBASE2_LOG_LEVEL=info\n',
      },
      {
        path: '/root/.docker/config.json',
        permissions: '0600',
        content: '{"auths":{"registry.digitalocean.com":{"auth":"Y3JlZDpjcmVk"}}}',
      },
    ]);
    expect(config.runcmd).toEqual([
      [
        'sh',
        '-c',
        'command -v docker >/dev/null 2>&1 || (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y docker.io)',
      ],
      ['systemctl', 'enable', '--now', 'docker'],
      [
        'docker',
        'run',
        '--detach',
        '--name',
        'base2-staging',
        '--restart=always',
        '--publish',
        '80:8080',
        '--env-file',
        '/etc/base2-do/base2-staging.env',
        'registry.digitalocean.com/base2/base2:latest',
      ],
      ['rm', '-f', '/root/.docker/config.json'],
    ]);
  });

  it('is the same text for the same inputs; the template holds a placeholder instead of the credential', () => {
    expect(renderCloudInit(spec)).toBe(renderCloudInit({ ...spec, env: [...spec.env] }));
    expect(renderCloudInit(spec)).toContain(CREDENTIAL_PLACEHOLDER);
    expect(renderCloudInit(spec, 'c2VjcmV0')).not.toContain(CREDENTIAL_PLACEHOLDER);
  });

  it('leaves out the login for images outside DOCR and the env file when there is no env', () => {
    const config = read(renderCloudInit({ ...spec, image: 'nginx:1.27', registryLogin: false, env: [] }));
    expect(config.write_files).toBeUndefined();
    expect(config.runcmd).toHaveLength(3);
    expect(config.runcmd[2]).not.toContain('--env-file');
  });

  it('quotes what YAML 1.1 would misread (80:30 is a base-60 number there)', () => {
    const config = read(renderCloudInit({ ...spec, hostPort: 80, containerPort: 30 }));
    expect(config.runcmd[2]).toContain('80:30');
  });

  it('refuses env values of more than one line, naming them', () => {
    const d = deployment();
    d.droplets.container = { ...d.droplets.container, env: { CERT: 'line 1\nline 2' } };
    const error = (() => {
      try {
        cloudInitSpec(d);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).problems[0]?.path).toBe('droplets.container.env.CERT');
  });
});
