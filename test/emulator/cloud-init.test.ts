import { describe, expect, it } from 'vitest';
import { IMAGES } from '../../emulator/resources/droplets/catalog.js';
import { readUserData } from '../../emulator/resources/droplets/cloud-init.js';
import { docrReference, firstBoot } from '../../emulator/resources/droplets/first-boot.js';
import { REALISTIC_TIMING as T } from '../../emulator/timing.js';
import { renderCloudInit } from '../../lib/resources/droplets/cloud-init.js';

const software = (slug: string) => IMAGES.find((i) => i.slug === slug)!.software;
const HTTP = 8080;
const registry = (name: string, images: string[]) => ({
  name: () => name,
  hasImage: (repository: string, tag: string) => images.includes(`${repository}:${tag}`),
});
const ctx = { timing: T, httpPort: HTTP, registry: registry('base2', ['base2:1.0']) };

describe('reading user_data as cloud-init does', () => {
  it('reads a cloud-config: package work, Docker packages, a written registry login and docker run', () => {
    const plan = readUserData(
      [
        '#cloud-config',
        'package_update: true',
        'packages: [docker.io, [jq, 1.6]]',
        'write_files:',
        '  - path: /root/.docker/config.json',
        `    content: ${Buffer.from('{"auths":{"registry.digitalocean.com":{"auth":"dTpw"}}}').toString('base64')}`,
        '    encoding: b64',
        'runcmd:',
        '  - [systemctl, enable, --now, docker]',
        "  - [docker, run, -d, --name, web, --env-file, /etc/web.env, -p, '127.0.0.1:8080:80/tcp', -p8443:443, registry.digitalocean.com/base2/base2:1.0]",
        '',
      ].join('\n'),
    );
    expect(plan).toEqual({
      format: 'cloud-config',
      steps: [
        { kind: 'login', registry: 'registry.digitalocean.com' },
        { kind: 'package-index' },
        { kind: 'packages', names: ['docker.io', 'jq'] },
        {
          kind: 'run',
          image: 'registry.digitalocean.com/base2/base2:1.0',
          ports: [
            { host: 8080, container: 80 },
            { host: 8443, container: 443 },
          ],
        },
      ],
    });
  });

  it('tells an install guarded by a check for docker from an unconditional one, in scripts too', () => {
    const script = [
      '#!/bin/bash',
      'set -e',
      'if ! command -v docker >/dev/null; then',
      '  curl -fsSL https://get.docker.com | sh',
      'fi',
      'apt-get -y update',
      'echo "$TOKEN" | docker login --username u --password-stdin registry.digitalocean.com',
      'docker run --detach \\',
      '  --publish 8080:80 nginx:1.27',
    ].join('\n');
    expect(readUserData(script).steps).toEqual([
      { kind: 'docker-install', via: 'script', onlyIfMissing: true, refreshesIndex: false },
      { kind: 'package-index' },
      { kind: 'login', registry: 'registry.digitalocean.com' },
      { kind: 'run', image: 'nginx:1.27', ports: [{ host: 8080, container: 80 }] },
    ]);
    expect(readUserData('#!/bin/sh\napt-get update && apt-get install -y docker.io\n').steps).toEqual([
      { kind: 'docker-install', via: 'apt', onlyIfMissing: false, refreshesIndex: true },
    ]);
  });

  it('reads nothing from formats it does not model, and nothing from no user_data', () => {
    expect(readUserData(undefined).format).toBe('none');
    expect(readUserData('#include\nhttps://example.com/cloud-config.yaml\n').format).toBe('unread');
    expect(readUserData('#cloud-config\nruncmd: [: bad').format).toBe('unread');
  });

  it('reads the cloud-init the tool writes: Docker only where missing, the DOCR login, the container', () => {
    const spec = {
      containerName: 'base2-staging',
      image: 'registry.digitalocean.com/base2/base2:1.0',
      hostPort: HTTP,
      containerPort: 8080,
      env: [['A', 'b']] as Array<[string, string]>,
      registryLogin: true,
    };
    expect(readUserData(renderCloudInit(spec, 'dTpw')).steps).toEqual([
      { kind: 'login', registry: 'registry.digitalocean.com' },
      { kind: 'docker-install', via: 'apt', onlyIfMissing: true, refreshesIndex: true },
      { kind: 'run', image: spec.image, ports: [{ host: HTTP, container: 8080 }] },
    ]);
  });
});

describe('first boot: when the container answers', () => {
  const tool = (image: string) =>
    readUserData(
      renderCloudInit(
        {
          containerName: 'c',
          image,
          hostPort: HTTP,
          containerPort: 80,
          env: [],
          registryLogin: image.startsWith('registry.digitalocean.com/'),
        },
        'dTpw',
      ),
    );

  it('skips the Docker install on a Docker-ready image and pays it elsewhere', () => {
    const plan = tool('registry.digitalocean.com/base2/base2:1.0');
    const run = T.cloudInitStartMs + T.imagePullMs + T.containerStartMs;
    expect(firstBoot(plan, software('docker-20-04'), ctx)).toEqual({ answersAfterMs: run });
    expect(firstBoot(plan, software('debian-12-x64'), ctx)).toEqual({
      answersAfterMs: run + T.packageIndexMs + T.dockerInstallMs,
    });
  });

  it('never answers when Docker cannot be installed, the image cannot be pulled or nothing publishes the port', () => {
    const docr = tool('registry.digitalocean.com/base2/base2:1.0');
    expect(firstBoot(docr, software('fedora-40-x64'), ctx)).toMatchObject({
      never: expect.stringContaining('docker is not installed'),
    });
    expect(
      firstBoot(tool('registry.digitalocean.com/base2/base2:2.0'), software('docker-20-04'), ctx),
    ).toMatchObject({
      never: expect.stringContaining('does not exist in registry base2'),
      afterMs: T.cloudInitStartMs,
    });
    expect(firstBoot(docr, software('docker-20-04'), { ...ctx, registry: undefined })).toMatchObject({
      never: expect.stringContaining('no registry base2'),
    });
    const other = readUserData(`#cloud-config\nruncmd:\n  - [docker, run, -p, '9999:80', nginx]\n`);
    expect(firstBoot(other, software('docker-20-04'), ctx)).toMatchObject({
      never: expect.stringContaining('no port 8080'),
    });
    expect(firstBoot(readUserData(undefined), software('docker-20-04'), ctx)).toMatchObject({
      never: expect.stringContaining('no user_data'),
    });
  });

  it('names a DOCR image by registry, repository and tag or digest', () => {
    expect(docrReference('registry.digitalocean.com/base2/web/api:1.4')).toEqual({
      registry: 'base2',
      repository: 'web/api',
      tagOrDigest: '1.4',
    });
    expect(docrReference('registry.digitalocean.com/base2/web@sha256:abc')).toMatchObject({
      tagOrDigest: 'sha256:abc',
    });
    expect(docrReference('registry.digitalocean.com/base2/web')).toMatchObject({ tagOrDigest: 'latest' });
    expect(docrReference('nginx:1.27')).toBeUndefined();
  });
});
