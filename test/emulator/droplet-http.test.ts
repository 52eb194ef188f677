import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { registryModule } from '../../emulator/resources/registry/index.js';
import { REALISTIC_TIMING as T } from '../../emulator/timing.js';
import {
  allocatedAddress,
  type DropletTestEmulator,
  dropletModules,
  dropletWithKey,
  expectConformance,
  startDropletEmulator,
} from './fixtures/droplet-emulator.js';
import { probe } from './fixtures/http-probe.js';
import { connect, exec } from './fixtures/ssh-client.js';

const BOOT_MS = T.dropletBootMs;
const SILENT_MS = 300;
/** cloud-init's work for a `docker run` on an image that has Docker: start, pull, container start. */
const RUN_MS = T.cloudInitStartMs + T.imagePullMs + T.containerStartMs;
/** The same after installing Docker from apt first (index refresh and install). */
const INSTALL_AND_RUN_MS = RUN_MS + T.packageIndexMs + T.dockerInstallMs;

const runOnly = (port: number, image = 'nginx:1.27') =>
  `#cloud-config\nruncmd:\n  - [docker, run, --detach, --publish, '${port}:80', ${image}]\n`;
/** What the tool writes: Docker installed only where the image lacks it. */
const installIfMissing = (port: number) =>
  [
    '#cloud-config',
    'runcmd:',
    "  - [sh, -c, 'command -v docker >/dev/null 2>&1 || (apt-get update && apt-get install -y docker.io)']",
    `  - [docker, run, --detach, --restart=always, --publish, '${port}:8080', nginx:1.27]`,
    '',
  ].join('\n');

describe('droplet HTTP: the container its cloud-init starts', () => {
  let t: DropletTestEmulator;

  beforeAll(async () => {
    t = await startDropletEmulator({
      checkSpec: false,
      timeScale: 1,
      timing: { apiLatencyMs: 0 },
      // One account for every case of this file: more droplets than a new account may hold.
      dropletLimit: 25,
    });
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('answers every GET with 200 and a plain `ok` once its container runs, and tells nothing about the droplet', async () => {
    const { id, ip } = await dropletWithKey(t, 'web-1', {
      bootMs: BOOT_MS,
      image: 'docker-20-04',
      userData: runOnly(t.emu.httpPort),
    });
    await t.advance(RUN_MS);
    for (const path of ['/', '/healthz', '/any/where?x=1']) {
      expect(await probe(ip!, t.emu.httpPort, path)).toEqual({
        status: 200,
        type: 'text/plain; charset=utf-8',
        body: 'ok\n',
      });
    }
    const head = await probe(ip!, t.emu.httpPort, '/healthz', { method: 'HEAD' });
    expect(head).toMatchObject({ status: 200, body: '' });
    expect(await probe(ip!, t.emu.httpPort, '/', { method: 'POST' })).toMatchObject({ status: 405 });
    const body = JSON.stringify(await probe(ip!, t.emu.httpPort, '/'));
    expect(body).not.toContain(String(id));
    expect(body).not.toContain('web-1');
  });

  it('a Docker-ready image answers within a minute of booting; installing Docker first takes minutes', async () => {
    const ready = await dropletWithKey(t, 'docker-ready', {
      image: 'docker-20-04',
      userData: installIfMissing(t.emu.httpPort),
    });
    const plain = await dropletWithKey(t, 'plain-debian', {
      image: 'debian-12-x64',
      userData: installIfMissing(t.emu.httpPort),
    });
    await t.advance(BOOT_MS);
    const readyIp = await allocatedAddress(t, ready.id);
    const plainIp = await allocatedAddress(t, plain.id);
    // Active, and cloud-init still at work: Debian refuses the port, the Docker 1-Click's UFW drops it.
    expect(await probe(plainIp, t.emu.httpPort, '/', { timeoutMs: SILENT_MS })).toEqual({ failed: 'reset' });
    expect(await probe(readyIp, t.emu.httpPort, '/', { timeoutMs: SILENT_MS })).toEqual({ failed: 'silent' });

    await t.advance(RUN_MS - 1_000);
    expect(await probe(readyIp, t.emu.httpPort, '/', { timeoutMs: SILENT_MS })).toEqual({ failed: 'silent' });
    await t.advance(1_000);
    expect(await probe(readyIp, t.emu.httpPort, '/')).toMatchObject({ status: 200, body: 'ok\n' });
    expect(await probe(plainIp, t.emu.httpPort, '/')).toEqual({ failed: 'reset' });

    await t.advance(INSTALL_AND_RUN_MS - RUN_MS - 1_000);
    expect(await probe(plainIp, t.emu.httpPort, '/')).toEqual({ failed: 'reset' });
    await t.advance(1_000);
    expect(await probe(plainIp, t.emu.httpPort, '/')).toMatchObject({ status: 200, body: 'ok\n' });
  });

  it('never answers HTTP when nothing starts a container on its port, though SSH works', async () => {
    const script = `#!/bin/bash\ncurl -fsSL https://get.docker.com | sh\ndocker run -d -p ${t.emu.httpPort + 1}:80 nginx\n`;
    const droplets = [
      await dropletWithKey(t, 'no-user-data', { image: 'docker-20-04' }),
      await dropletWithKey(t, 'no-docker', { userData: runOnly(t.emu.httpPort) }),
      await dropletWithKey(t, 'other-port', { userData: script }),
      await dropletWithKey(t, 'no-container', { userData: '#!/bin/sh\necho hello > /root/hello\n' }),
    ];
    await t.advance(BOOT_MS + 3_600_000);
    for (const d of droplets) {
      const ip = await allocatedAddress(t, d.id);
      expect(await probe(ip, t.emu.httpPort, '/', { timeoutMs: SILENT_MS })).toMatchObject({
        failed: expect.any(String),
      });
    }
    const ip = await allocatedAddress(t, droplets[0]!.id);
    const client = await connect(ip, t.emu.sshPort, droplets[0]!.pair.private);
    try {
      expect((await exec(client, 'echo up')).stdout).toBe('up\n');
    } finally {
      client.end();
    }
  });

  it('does not answer before the droplet is active, while it is off, or after it is deleted; power on brings the container back', async () => {
    const { id } = await dropletWithKey(t, 'later', {
      image: 'docker-20-04',
      userData: runOnly(t.emu.httpPort),
    });
    const ip = await allocatedAddress(t, id);
    expect(await probe(ip, t.emu.httpPort)).toEqual({ failed: 'reset' });

    await t.advance(BOOT_MS + RUN_MS);
    expect(await probe(ip, t.emu.httpPort)).toMatchObject({ status: 200 });

    await t.dots.v2.droplets.byDroplet_id(id).actions.post({ type: 'power_off' });
    await t.advance(T.actionMs);
    expect(await probe(ip, t.emu.httpPort)).toEqual({ failed: 'reset' });

    // `--restart`-less or not, Docker brings back what ran; cloud-init does not run again.
    await t.dots.v2.droplets.byDroplet_id(id).actions.post({ type: 'power_on' });
    await t.advance(T.actionMs);
    expect(await probe(ip, t.emu.httpPort)).toMatchObject({ status: 200 });

    // The machine stops at the DELETE, while the API still lists it; its address goes once it is gone.
    await t.dots.v2.droplets.byDroplet_id(id).delete();
    expect(await probe(ip, t.emu.httpPort)).toEqual({ failed: 'reset' });
    await t.advance(T.dropletDeleteMs);
    await t.dots.v2.droplets.get();
    expect(await probe(ip, t.emu.httpPort)).toEqual({ failed: 'reset' });
  });
});

describe('droplet HTTP: images from the account’s container registry', () => {
  let t: DropletTestEmulator;
  const docrLogin = (auth: string) =>
    [
      'write_files:',
      '  - path: /root/.docker/config.json',
      "    permissions: '0600'",
      `    content: '{"auths":{"registry.digitalocean.com":{"auth":"${auth}"}}}'`,
    ].join('\n');
  const pull = (image: string, login = true) =>
    `#cloud-config\n${login ? `${docrLogin(Buffer.from('u:p').toString('base64'))}\n` : ''}runcmd:\n  - [docker, run, -d, -p, '${t.emu.httpPort}:8080', ${image}]\n`;

  beforeAll(async () => {
    t = await startDropletEmulator({
      checkSpec: false,
      timeScale: 1,
      timing: { apiLatencyMs: 0 },
      modules: [...dropletModules, registryModule],
    });
  });
  afterAll(async () => {
    await t?.stop();
  });
  beforeEach(async () => {
    await t.admin('POST', '/_emulator/reset');
    await t.dots.v2.registry.post({ name: 'base2-tests', subscriptionTierSlug: 'basic', region: 'nyc3' });
    await t.admin('POST', '/_emulator/registry/images', { repository: 'base2', tag: '1.0' });
  });

  it('starts only an image the registry holds, pulled after a login: otherwise the droplet never answers', async () => {
    const good = await dropletWithKey(t, 'good', {
      image: 'docker-20-04',
      userData: pull('registry.digitalocean.com/base2-tests/base2:1.0'),
    });
    const scripted = await dropletWithKey(t, 'doctl-login', {
      image: 'docker-20-04',
      userData: `#!/bin/sh\ndoctl registry login\ndocker run -d -p ${t.emu.httpPort}:8080 registry.digitalocean.com/base2-tests/base2:1.0\n`,
    });
    const broken = [
      await dropletWithKey(t, 'no-login', {
        image: 'docker-20-04',
        userData: pull('registry.digitalocean.com/base2-tests/base2:1.0', false),
      }),
      await dropletWithKey(t, 'no-such-tag', {
        image: 'docker-20-04',
        userData: pull('registry.digitalocean.com/base2-tests/base2:9.9'),
      }),
      await dropletWithKey(t, 'other-registry', {
        image: 'docker-20-04',
        userData: pull('registry.digitalocean.com/elsewhere/base2:1.0'),
      }),
    ];
    await t.advance(BOOT_MS + 3_600_000);
    for (const d of [good, scripted]) {
      expect(await probe(await allocatedAddress(t, d.id), t.emu.httpPort)).toMatchObject({ status: 200 });
    }
    for (const d of broken) {
      const ip = await allocatedAddress(t, d.id);
      expect(await probe(ip, t.emu.httpPort, '/', { timeoutMs: SILENT_MS })).toEqual({ failed: 'silent' });
    }
  });

  it('pulls an image pushed while the droplet boots', async () => {
    const d = await dropletWithKey(t, 'early', {
      image: 'docker-20-04',
      userData: pull('registry.digitalocean.com/base2-tests/base2:2.0'),
    });
    await t.advance(BOOT_MS);
    await t.admin('POST', '/_emulator/registry/images', { repository: 'base2', tag: '2.0' });
    await t.advance(RUN_MS);
    const ip = await allocatedAddress(t, d.id);
    expect(await probe(ip, t.emu.httpPort)).toMatchObject({ status: 200 });
  });
});

describe('droplet HTTP on a single shared address', () => {
  let t: DropletTestEmulator;

  beforeAll(async () => {
    t = await startDropletEmulator({
      checkSpec: false,
      singleAddress: true,
      timeScale: 1,
      timing: { apiLatencyMs: 0 },
    });
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('answers while any droplet’s container runs there', async () => {
    const older = await dropletWithKey(t, 'older', {
      image: 'docker-20-04',
      userData: runOnly(t.emu.httpPort),
    });
    await t.advance(BOOT_MS + RUN_MS);
    const newer = await dropletWithKey(t, 'newer', { bootMs: BOOT_MS, image: 'docker-20-04' });
    expect(newer.ip).toBe('127.0.0.1');
    expect(await allocatedAddress(t, older.id)).toBe('127.0.0.1');
    expect(await probe('127.0.0.1', t.emu.httpPort)).toMatchObject({ status: 200, body: 'ok\n' });
  });
});

describe('the Docker 1-Click image', () => {
  let t: DropletTestEmulator;

  beforeAll(async () => {
    t = await startDropletEmulator({ timing: { apiLatencyMs: 0 } });
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('is a public Marketplace image a droplet can be created from, shown in the spec’s image shape', async () => {
    const { id } = await dropletWithKey(t, 'docker-host', { image: 'docker-20-04' });
    const droplet = (await t.api('GET', `/v2/droplets/${id}`).then((r) => r.json())) as {
      droplet: { image: Record<string, unknown> };
    };
    expect(droplet.droplet.image).toMatchObject({
      slug: 'docker-20-04',
      distribution: 'Ubuntu',
      public: true,
      type: 'snapshot',
      min_disk_size: 25,
      status: 'available',
      description: expect.stringContaining('Marketplace'),
    });
    expectConformance(t);
  });
});
