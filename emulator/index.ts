import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { registerAdmin } from './core/admin.js';
import { EmuClock } from './core/clock.js';
import { Faults } from './core/faults.js';
import { Ids } from './core/ids.js';
import { RateLimiter } from './core/rate-limit.js';
import { RequestLog } from './core/request-log.js';
import { Router } from './core/router.js';
import { createApiServer, type ResponseRecord, type UpgradeHandler } from './core/server.js';
import { service } from './core/services.js';
import type { EmuCore, EmulatorModule, Handler, TimingProfile } from './core/types.js';
import { openWorkDir } from './droplet-host/sandbox-user.js';
import { modules as defaultModules } from './modules.js';
import { DEFAULT_DROPLET_LIMIT } from './resources/account.js';
import type { HeldDomainsService } from './resources/domains/held.js';
import { DEFAULT_TAKEN_REGISTRY_NAMES } from './resources/registry/taken-names.js';
import { REALISTIC_TIMING } from './timing.js';
import { createCertificateAuthority, HostCertificates, issueServerCertificate } from './tls.js';

export interface EmulatorOptions {
  /** Virtual time runs this many times faster than real time (default 1). */
  timeScale?: number;
  /** Overrides of the realistic timing profile (virtual milliseconds). */
  timing?: Partial<TimingProfile>;
  rateLimit?: { perMinute?: number; perHour?: number };
  /**
   * The account's droplet limit (default DEFAULT_DROPLET_LIMIT, a new account's): creates beyond it
   * are refused as DigitalOcean refuses them. Tests that create many droplets raise it.
   */
  dropletLimit?: number;
  /** API port on 127.0.0.1 (default: any free port). */
  port?: number;
  sshPort?: number;
  httpPort?: number;
  /** Sees every answered API request (the conformance test validates them against the spec). */
  onResponse?: (record: ResponseRecord) => void;
  /** Node binary for Functions actions (default: this process's own). */
  runtimeNode?: string;
  /** Force single-address mode (everything on 127.0.0.1) even where 127.0.0.0/8 is routed. */
  singleAddress?: boolean;
  /**
   * The account has Functions' scheduled triggers preview (default false: like most accounts, the
   * triggers API refuses it with 403).
   */
  triggersPreview?: boolean;
  /** Resource modules (default: all). */
  modules?: EmulatorModule[];
  /**
   * Domains other DigitalOcean customers hold: adding one is refused as on DigitalOcean, where a
   * zone can be in one account only (default: none). Kept across resets.
   */
  heldDomains?: string[];
  /**
   * Container registry names other customers hold, which this account cannot create (default:
   * `DEFAULT_TAKEN_REGISTRY_NAMES`, generic names such as `base2`; `[]` for none).
   */
  registryNamesTaken?: readonly string[];
}

export interface Emulator {
  apiUrl: string;
  token: string;
  caCertPath: string;
  caPem: string;
  sshPort: number;
  httpPort: number;
  workDir: string;
  clock: EmuClock;
  faults: Faults;
  /** Facts for clients as dotenv lines (DIGITALOCEAN_API_URL, DIGITALOCEAN_TOKEN, NODE_EXTRA_CA_CERTS, …). */
  envLines(): string[];
  /** Counters the emulator keeps (e.g. plaintext connection attempts refused). */
  counters: Record<string, number>;
  stop(): Promise<void>;
}

/** Starts a local DigitalOcean on loopback: HTTPS API, droplet SSH/HTTP, app URLs, Functions. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const workDir = await mkdtemp(join(tmpdir(), 'do-emulator-'));
  await openWorkDir(workDir);
  const cleanups: (() => void | Promise<void>)[] = [];
  try {
    const ca = await createCertificateAuthority({ commonName: 'Base2 DigitalOcean emulator CA' });
    const server = await issueServerCertificate(ca, { hosts: ['localhost', '127.0.0.1', '::1'] });
    const caCertPath = join(workDir, 'ca.pem');
    await writeFile(caCertPath, ca.certPem, { mode: 0o644 });

    const clock = new EmuClock(options.timeScale ?? 1);
    const token = `dop_v1_${new Ids().hex(32)}`;
    const router = new Router();
    const upgrades = new Router();
    const faults = new Faults();
    const limiter = new RateLimiter({
      perMinute: options.rateLimit?.perMinute ?? 250,
      perHour: options.rateLimit?.perHour ?? 5000,
    });
    const log = new RequestLog();
    const counters: Record<string, number> = { plaintext_attempts: 0 };
    const slices = new Map<string, { dump(): unknown; reset(): void }>();
    const timing = { ...REALISTIC_TIMING, ...options.timing };
    const loopback = options.singleAddress || !(await canBind('127.0.0.2')) ? 'single' : 'range';
    const ports = {
      ssh: options.sshPort ?? (await freePort()),
      http: options.httpPort ?? (await freePort()),
    };
    let baseUrl = '';
    const certificates = new HostCertificates(ca);
    const namedHosts: ((servername: string) => boolean)[] = [];

    const core: EmuCore = {
      clock,
      ids: new Ids(),
      faults,
      timing,
      baseUrl: () => baseUrl,
      route: (method: string, pattern: string, handler: Handler, routeOptions) =>
        router.add(method, pattern, handler, routeOptions),
      upgrade: (pattern: string, handler: UpgradeHandler) =>
        upgrades.add('GET', pattern, handler as unknown as Handler),
      state: (name, slice) => slices.set(name, slice),
      onStop: (cleanup) => cleanups.push(cleanup),
      workDir,
      services: new Map(),
      ports,
      loopback,
      runtimeNode: options.runtimeNode ?? process.execPath,
      triggersPreview: options.triggersPreview ?? false,
      tls: { caPem: ca.certPem, certPem: server.certPem, keyPem: server.keyPem },
      registryNamesTaken: options.registryNamesTaken ?? DEFAULT_TAKEN_REGISTRY_NAMES,
      certificateNames: (holds) => namedHosts.push(holds),
      limits: { droplets: options.dropletLimit ?? DEFAULT_DROPLET_LIMIT },
    };
    for (const module of options.modules ?? defaultModules) await module.register(core);
    service<HeldDomainsService>(core.services, 'held-domains')?.configure(options.heldDomains ?? []);
    registerAdmin({
      router,
      clock,
      timing,
      faults,
      limiter,
      log,
      dumpState: () => Object.fromEntries([...slices].map(([name, s]) => [name, s.dump()])),
      resetState: () => {
        for (const slice of slices.values()) slice.reset();
        counters.plaintext_attempts = 0;
      },
      counters: () => ({ ...counters }),
    });

    const api = createApiServer({
      cert: server.certPem,
      key: server.keyPem,
      router,
      upgrades,
      clock,
      faults,
      limiter,
      log,
      tokens: new Set([token]),
      latencyMs: () => timing.apiLatencyMs,
      onResponse: options.onResponse,
      certificateFor: async (servername) =>
        namedHosts.some((holds) => holds(servername)) ? certificates.contextFor(servername) : undefined,
      onPlaintext: () => {
        counters.plaintext_attempts = (counters.plaintext_attempts ?? 0) + 1;
      },
    });
    await new Promise<void>((resolve, reject) => {
      api.once('error', reject);
      api.listen(options.port ?? 0, '127.0.0.1', () => resolve());
    });
    const address = api.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    baseUrl = `https://127.0.0.1:${port}`;
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          api.closeAllConnections();
          api.close(() => resolve());
        }),
    );

    let stopped = false;
    const stop = async () => {
      if (stopped) return;
      stopped = true;
      for (const cleanup of cleanups.reverse()) await Promise.resolve(cleanup()).catch(() => undefined);
      await rm(workDir, { recursive: true, force: true });
    };
    return {
      apiUrl: baseUrl,
      token,
      caCertPath,
      caPem: ca.certPem,
      sshPort: ports.ssh,
      httpPort: ports.http,
      workDir,
      clock,
      faults,
      counters,
      envLines: () => [
        `DIGITALOCEAN_API_URL=${baseUrl}`,
        `DIGITALOCEAN_TOKEN=${token}`,
        `NODE_EXTRA_CA_CERTS=${caCertPath}`,
        `DIGITALOCEAN_CA_FILE=${caCertPath}`,
        `DO_SSH_PORT=${ports.ssh}`,
        `DO_HTTP_PORT=${ports.http}`,
      ],
      stop,
    };
  } catch (error) {
    for (const cleanup of cleanups.reverse()) await Promise.resolve(cleanup()).catch(() => undefined);
    await rm(workDir, { recursive: true, force: true });
    throw error;
  }
}

function canBind(host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createNetServer();
    probe.once('error', () => resolve(false));
    probe.listen(0, host, () => probe.close(() => resolve(true)));
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createNetServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}
