/**
 * A deliberately naive deploy of the same deployment, the baseline our deploy is measured against:
 * the script a newcomer writes with dots. One resource at a time (the app, then each droplet, then
 * DNS, then the firewall), each created and then polled every `pollMs` until it is ready, with one
 * GET per item and no batching. It sends the very same request bodies as the tool (the resource
 * modules' desired state and expand functions), so what it builds is what our deploy builds and
 * only the orchestration differs. It makes no ownership checks and no lookups before creating:
 * run it on an empty account.
 */
import type { App, Droplet } from '@digitalocean/dots';
import type { Clock } from '../lib/clock.js';
import type { Deployment } from '../lib/config/manifest.js';
import type { DoApi } from '../lib/do/index.js';
import { expandSpec, hostOf } from '../lib/resources/app/index.js';
import { MARKER_NAME, markerValue } from '../lib/resources/domain/index.js';
import { desiredDomain, expandData } from '../lib/resources/domain/records.js';
import { desiredDroplets, renderCloudInit } from '../lib/resources/droplets/index.js';
import { expandCreateRequest } from '../lib/resources/droplets/model.js';
import { REGISTRY_CREDENTIAL_TTL_SECONDS } from '../lib/resources/droplets/registry-credential.js';
import { desiredFirewall } from '../lib/resources/firewall/plan.js';
import { expandFirewall } from '../lib/resources/firewall/rules.js';
import { desiredSshKey } from '../lib/resources/ssh-key/model.js';

export interface NaiveOptions {
  /** The fixed poll interval (virtual ms): 10 s, the figure such scripts usually sleep. */
  pollMs?: number;
  /** Gives up after this long waiting on one resource, so a broken run stops by itself. */
  maxWaitMs?: number;
  /** One line per step, for people watching. */
  print?: (line: string) => void;
}

export interface NaiveResult {
  wallMs: number;
  /** Names of what it created, in order. */
  created: string[];
}

const APP_FAILED = new Set(['ERROR', 'CANCELED']);

/** Polls `check` every `pollMs` until it returns a value; fails after `maxWaitMs`. */
async function poll<T>(
  clock: Clock,
  what: string,
  options: Required<Pick<NaiveOptions, 'pollMs' | 'maxWaitMs'>>,
  check: () => Promise<T | undefined>,
): Promise<T> {
  const started = clock.now();
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (clock.now() - started > options.maxWaitMs)
      throw new Error(`naive deploy: ${what} never became ready`);
    await clock.sleep(options.pollMs);
  }
}

/** The read-only registry credential for the droplets' cloud-init, fetched per droplet. */
async function registryAuth(api: DoApi): Promise<string> {
  const answer = await api.client.v2.registry.dockerCredentials.get({
    queryParameters: { readWrite: false, expirySeconds: REGISTRY_CREDENTIAL_TTL_SECONDS },
  });
  const auth = answer?.auths?.registryDigitaloceanCom?.auth;
  if (!auth) throw new Error('naive deploy: no registry credential in the answer');
  return auth;
}

async function deployApp(api: DoApi, deployment: Deployment, wait: Waiter): Promise<App | undefined> {
  if (!deployment.app) return undefined;
  const made = await api.client.v2.apps.post({ spec: expandSpec(deployment.app.spec) });
  const id = made?.app?.id;
  if (!id) throw new Error('naive deploy: the app create answered without an id');
  return wait(`app ${deployment.slug}`, async () => {
    const app = (await api.client.v2.apps.byApp_Id(id).get())?.app;
    const pending = app?.inProgressDeployment ?? app?.pendingDeployment;
    if (pending?.phase && APP_FAILED.has(String(pending.phase))) {
      throw new Error(`naive deploy: the app's deployment ended ${pending.phase}`);
    }
    return app?.activeDeployment?.phase === 'ACTIVE' && !pending ? app : undefined;
  });
}

async function deployDroplets(api: DoApi, deployment: Deployment, wait: Waiter): Promise<Droplet[]> {
  const desired = desiredDroplets(deployment);
  if (!desired) return [];
  const payload = {
    generation: desired.generation,
    region: desired.region,
    size: desired.size,
    image: desired.image,
    sshKeyFingerprint: desired.sshKeyFingerprint,
    tags: desired.tags,
    userData: desired.userData,
  };
  const droplets: Droplet[] = [];
  for (const name of desired.names) {
    const source = desired.userData;
    const userData =
      source.source === 'manifest'
        ? source.text
        : source.spec.registryLogin
          ? renderCloudInit(source.spec, await registryAuth(api))
          : source.template;
    const answer = (await api.client.v2.droplets.post(expandCreateRequest(payload, [name], userData))) as
      | { droplets?: Droplet[] | null; droplet?: Droplet | null }
      | undefined;
    const id = answer?.droplets?.[0]?.id ?? answer?.droplet?.id;
    if (!id) throw new Error(`naive deploy: the create of droplet ${name} answered without an id`);
    droplets.push(
      await wait(`droplet ${name}`, async () => {
        const droplet = (await api.client.v2.droplets.byDroplet_id(id).get())?.droplet;
        return droplet?.status === 'active' ? droplet : undefined;
      }),
    );
  }
  return droplets;
}

/** The domain, the marker our tool writes, then one record per value, each after a fresh GET. */
async function deployDomain(api: DoApi, deployment: Deployment, app: App | undefined, droplets: Droplet[]) {
  if (!deployment.domain) return;
  const ipv4: string[] = [];
  for (const known of droplets) {
    const droplet = (await api.client.v2.droplets.byDroplet_id(known.id ?? 0).get())?.droplet;
    const address = droplet?.networks?.v4?.find((n) => n.type === 'public')?.ipAddress;
    if (address) ipv4.push(address);
  }
  const fresh = app?.id ? (await api.client.v2.apps.byApp_Id(app.id).get())?.app : undefined;
  const appHost = hostOf(fresh?.defaultIngress ?? undefined);
  const desired = desiredDomain(deployment, { dropletIpv4: ipv4, ...(appHost ? { appHost } : {}) });
  if (!desired) return;
  await api.client.v2.domains.post({ name: desired.domain });
  const records = api.client.v2.domains.byDomain_name(desired.domain).records;
  const markerTtl = Math.min(...desired.sets.map((s) => s.ttl), 1800);
  await records.post({ type: 'TXT', name: MARKER_NAME, data: markerValue(deployment.slug), ttl: markerTtl });
  for (const set of desired.sets) {
    for (const value of set.values) {
      await records.post({ type: set.type, name: set.name, data: expandData(set.type, value), ttl: set.ttl });
    }
  }
}

type Waiter = <T>(what: string, check: () => Promise<T | undefined>) => Promise<T>;

/** Deploys `deployment` the naive way; throws on the first failure. */
export async function naiveDeploy(
  api: DoApi,
  deployment: Deployment,
  clock: Clock,
  options: NaiveOptions = {},
): Promise<NaiveResult> {
  const timing = { pollMs: options.pollMs ?? 10_000, maxWaitMs: options.maxWaitMs ?? 30 * 60_000 };
  const print = options.print ?? (() => undefined);
  const started = clock.now();
  const created: string[] = [];
  const wait: Waiter = async (what, check) => {
    const value = await poll(clock, what, timing, check);
    created.push(what);
    print(`  naive: ${what} ready after ${((clock.now() - started) / 1000).toFixed(1)} s`);
    return value;
  };

  if (deployment.registry) await api.client.v2.registry.get();
  const key = desiredSshKey(deployment);
  if (key) {
    await api.client.v2.account.keys.post({ name: key.name, publicKey: key.publicKey });
    created.push(`SSH key ${key.name}`);
  }
  const app = await deployApp(api, deployment, wait);
  const droplets = await deployDroplets(api, deployment, wait);
  await deployDomain(api, deployment, app, droplets);
  if (deployment.domain) created.push(`domain ${deployment.domain.name}`);
  const firewall = desiredFirewall(deployment);
  if (firewall) {
    await api.client.v2.firewalls.post(expandFirewall(firewall));
    created.push(`firewall ${firewall.name}`);
  }
  return { wallMs: clock.now() - started, created };
}
