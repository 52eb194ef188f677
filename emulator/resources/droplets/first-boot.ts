/**
 * A droplet's first boot after it turns `active`: cloud-init works through its user_data (see
 * cloud-init.ts) and the container answers on the droplet's HTTP port only once that is done.
 * How long it takes depends on the work (timing profile): a Docker-ready image skips the Docker
 * install, the longest part. A container never answers when nothing starts one, when Docker is
 * missing at `docker run`, when it publishes another port, or when its DOCR image cannot be pulled
 * (no login for the registry, or no such image in the account's registry): a real droplet
 * stays silent on the port then too, and verification must fail.
 */
import type { TimingProfile } from '../../core/types.js';
import type { ImageSoftware } from './catalog.js';
import { type BootStep, type CloudInitPlan, DOCKER_PACKAGES, type DockerSource } from './cloud-init.js';

/** What the registry module tells about the account's registry (a subset of its service). */
export interface RegistryLookup {
  name(): string | undefined;
  hasImage(repository: string, tagOrDigest: string): boolean;
}

export type Outcome =
  /** The container answers this long after the droplet turned active. */
  | { answersAfterMs: number }
  /** `afterMs`: when the step that failed ran, for failures that depend on the registry's state then. */
  | { never: string; afterMs?: number };

export interface FirstBootContext {
  timing: TimingProfile;
  /** The port the emulator's droplets answer HTTP on (`DO_HTTP_PORT`), standing in for port 80. */
  httpPort: number;
  registry: RegistryLookup | undefined;
}

const DOCR_HOST = 'registry.digitalocean.com';

/** Pure: when the container publishing `ctx.httpPort` answers, or why none ever does. */
export function firstBoot(plan: CloudInitPlan, image: ImageSoftware, ctx: FirstBootContext): Outcome {
  if (plan.format === 'none') return { never: 'it has no user_data, so nothing starts a container' };
  if (plan.format === 'unread') {
    return { never: 'its user_data is neither #cloud-config nor a script the emulator reads' };
  }
  const t = ctx.timing;
  let elapsed = t.cloudInitStartMs;
  let docker = image.docker;
  const logins = new Set<string>();
  const problems: string[] = [];
  let pulledAt: number | undefined;
  for (const step of plan.steps) {
    switch (step.kind) {
      case 'package-index':
        elapsed += t.packageIndexMs;
        break;
      case 'package-upgrade':
        elapsed += t.packageUpgradeMs;
        break;
      case 'packages':
        if (step.names.some((n) => DOCKER_PACKAGES[image.packageManager].includes(n))) {
          elapsed += t.dockerInstallMs;
          docker = true;
        } else if (step.names.some((n) => isDockerPackage(n))) {
          problems.push(`its packages name Docker packages ${image.packageManager} does not have`);
        }
        break;
      case 'docker-install':
        if (step.onlyIfMissing && docker) break;
        if (!installs(step.via, image)) {
          problems.push(`installing Docker with ${step.via} fails on this image`);
          break;
        }
        elapsed += (step.refreshesIndex ? t.packageIndexMs : 0) + t.dockerInstallMs;
        docker = true;
        break;
      case 'login':
        logins.add(step.registry);
        break;
      case 'run': {
        const why = runProblem(step, docker, logins, ctx);
        if (why) {
          problems.push(why);
          pulledAt ??= elapsed;
          break;
        }
        elapsed += t.imagePullMs + t.containerStartMs;
        if (step.ports.some((p) => p.host === ctx.httpPort)) return { answersAfterMs: elapsed };
        problems.push(`${step.image} publishes no port ${ctx.httpPort}`);
        break;
      }
    }
  }
  if (!plan.steps.some((s) => s.kind === 'run'))
    return { never: 'its user_data starts no container (docker run)' };
  return { never: problems.join('; '), ...(pulledAt === undefined ? {} : { afterMs: pulledAt }) };
}

function runProblem(
  step: Extract<BootStep, { kind: 'run' }>,
  docker: boolean,
  logins: ReadonlySet<string>,
  ctx: FirstBootContext,
): string | undefined {
  if (!docker) return `docker is not installed when \`docker run ${step.image}\` runs`;
  const ref = docrReference(step.image);
  if (!ref) return undefined;
  if (!logins.has(DOCR_HOST))
    return `pulling ${step.image} needs a login to ${DOCR_HOST}, and none comes before it`;
  if (ctx.registry?.name() !== ref.registry)
    return `the account has no registry ${ref.registry} to pull ${step.image} from`;
  if (!ctx.registry.hasImage(ref.repository, ref.tagOrDigest))
    return `${step.image} does not exist in registry ${ref.registry}`;
  return undefined;
}

/** `registry.digitalocean.com/<registry>/<repository>[:tag|@digest]`, or undefined for other registries. */
export function docrReference(
  image: string,
): { registry: string; repository: string; tagOrDigest: string } | undefined {
  if (!image.startsWith(`${DOCR_HOST}/`)) return undefined;
  const path = image.slice(DOCR_HOST.length + 1);
  const at = path.indexOf('@');
  const [name, tagOrDigest] = at >= 0 ? [path.slice(0, at), path.slice(at + 1)] : splitTag(path);
  const slash = name.indexOf('/');
  if (slash < 0) return { registry: name, repository: '', tagOrDigest };
  return { registry: name.slice(0, slash), repository: name.slice(slash + 1), tagOrDigest };
}

function splitTag(path: string): [string, string] {
  const colon = path.lastIndexOf(':');
  return colon > path.lastIndexOf('/') ? [path.slice(0, colon), path.slice(colon + 1)] : [path, 'latest'];
}

const isDockerPackage = (name: string) =>
  Object.values(DOCKER_PACKAGES).some((names) => names.includes(name));

/** get.docker.com knows every distribution of the catalog; apt and snap need Debian or Ubuntu, dnf the others. */
function installs(via: DockerSource, image: ImageSoftware): boolean {
  if (via === 'script') return true;
  if (via === 'dnf') return image.packageManager === 'dnf';
  return image.packageManager === 'apt';
}
