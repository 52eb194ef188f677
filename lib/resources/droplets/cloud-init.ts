/**
 * The cloud-init the tool writes when the manifest gives no user_data: install Docker with apt
 * where the image has none (a Docker-ready image such as DigitalOcean's Docker 1-Click skips it,
 * the longest part of a first boot), log in to DigitalOcean's registry when the image lives
 * there, run the container. Rendered deterministically, so its digest names the droplet
 * generation; only the registry credential varies, and it is left out of that digest (a
 * placeholder stands in).
 */
import { Document, isSeq } from 'yaml';
import type { Deployment } from '../../config/manifest.js';
import { InputError } from '../../errors.js';

export const REGISTRY_HOST = 'registry.digitalocean.com';
/** DigitalOcean's user_data limit. */
export const MAX_USER_DATA_BYTES = 64 * 1024;
/** Stands in for the credential in the digested template; never sent. */
export const CREDENTIAL_PLACEHOLDER = '<read-only registry credential>';
const DOCKER_CONFIG = '/root/.docker/config.json';
/**
 * Checked on the droplet rather than decided from the image slug: it holds on any image, whatever
 * its name, and an image that gains Docker needs no new rule here.
 */
const INSTALL_DOCKER_IF_MISSING =
  'command -v docker >/dev/null 2>&1 || (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y docker.io)';

export interface CloudInitSpec {
  /** The container's name on the droplet: the deployment slug. */
  containerName: string;
  image: string;
  hostPort: number;
  containerPort: number;
  /** Sorted by name, so reordering the manifest does not make a new generation. */
  env: Array<[string, string]>;
  /** The image is in DOCR: write a Docker login for the registry. */
  registryLogin: boolean;
}

export function isDocrImage(image: string): boolean {
  return image.startsWith(`${REGISTRY_HOST}/`);
}

/** The cloud-init inputs of a deployment with a droplets section; env values must be one line each. */
export function cloudInitSpec(
  deployment: Deployment & { droplets: NonNullable<Deployment['droplets']> },
): CloudInitSpec {
  const { container, health } = deployment.droplets;
  const env = Object.entries(container.env ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const multiline = env.filter(([, value]) => /[\r\n\0]/.test(value));
  if (multiline.length > 0) {
    throw new InputError(
      deployment.manifestFile,
      multiline.map(([key]) => ({
        path: `droplets.container.env.${key}`,
        message: 'must be a single line: the droplet passes it to Docker through an env file',
      })),
    );
  }
  return {
    containerName: deployment.slug,
    image: container.image,
    hostPort: health.port,
    containerPort: container.port,
    env,
    registryLogin: isDocrImage(container.image),
  };
}

function dockerConfig(registryAuth: string): string {
  return JSON.stringify({ auths: { [REGISTRY_HOST]: { auth: registryAuth } } });
}

/**
 * `#cloud-config` for `spec`. Without `registryAuth` a DOCR login holds CREDENTIAL_PLACEHOLDER:
 * that text is the template whose digest names the generation. The credential file is removed
 * once the container runs (Docker keeps the pulled image), though user_data itself stays readable
 * on the droplet's metadata service until the credential expires.
 */
export function renderCloudInit(spec: CloudInitSpec, registryAuth?: string): string {
  const envFile = `/etc/base2-do/${spec.containerName}.env`;
  const files = [
    ...(spec.env.length > 0
      ? [{ path: envFile, permissions: '0600', content: spec.env.map(([k, v]) => `${k}=${v}\n`).join('') }]
      : []),
    ...(spec.registryLogin
      ? [
          {
            path: DOCKER_CONFIG,
            permissions: '0600',
            content: dockerConfig(registryAuth ?? CREDENTIAL_PLACEHOLDER),
          },
        ]
      : []),
  ];
  const run = [
    'docker',
    'run',
    '--detach',
    '--name',
    spec.containerName,
    '--restart=always',
    '--publish',
    `${spec.hostPort}:${spec.containerPort}`,
    ...(spec.env.length > 0 ? ['--env-file', envFile] : []),
    spec.image,
  ];
  const config = {
    ...(files.length > 0 ? { write_files: files } : {}),
    runcmd: [
      ['sh', '-c', INSTALL_DOCKER_IF_MISSING],
      ['systemctl', 'enable', '--now', 'docker'],
      run,
      ...(spec.registryLogin ? [['rm', '-f', DOCKER_CONFIG]] : []),
    ],
  };
  // YAML 1.1 is what cloud-init reads: strings such as `80:30` (base 60!) or `on` get quoted.
  const doc = new Document(config, { version: '1.1' });
  const runcmd = doc.get('runcmd');
  // Commands read best one per line: `- [docker, run, …]`, each an argv (no shell, no quoting).
  if (isSeq(runcmd)) for (const item of runcmd.items) if (isSeq(item)) item.flow = true;
  const text = `#cloud-config\n${doc.toString({ lineWidth: 0 })}`;
  if (Buffer.byteLength(text, 'utf8') > MAX_USER_DATA_BYTES) {
    throw new InputError(`The cloud-init of ${spec.containerName}`, [
      {
        path: 'droplets.container.env',
        message: 'makes it larger than DigitalOcean’s 64 KiB user_data limit',
      },
    ]);
  }
  return text;
}
