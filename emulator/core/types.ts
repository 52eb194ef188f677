import type { IncomingHttpHeaders } from 'node:http';
import type { EmuClock } from './clock.js';
import type { Faults } from './faults.js';
import type { Ids } from './ids.js';
import type { UpgradeHandler } from './server.js';

export interface EmuRequest {
  method: string;
  /** Path without the query string, e.g. `/v2/droplets/42`. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** Parsed JSON body (repeated keys: the last one wins, as JSON.parse and DigitalOcean do). */
  body: unknown;
  rawBody: Buffer;
  /** Path parameters from the route pattern (`/v2/droplets/:id` → `{ id }`). */
  params: Record<string, string>;
  requestId: string;
  /** The bearer token the request authenticated with (undefined on unauthenticated routes). */
  token: string | undefined;
}

export interface EmuResponse {
  status: number;
  /** JSON-serialised unless `text` is given. */
  body?: unknown;
  /** A non-JSON body (log text, HTML status pages). */
  text?: string;
  contentType?: string;
  headers?: Record<string, string>;
}

export type Handler = (req: EmuRequest) => EmuResponse | Promise<EmuResponse>;

export interface RouteOptions {
  /** Routes outside the DigitalOcean API (admin, live URLs, websockets) skip bearer auth and rate limits. */
  auth?: 'bearer' | 'none';
}

/** What every resource module receives: shared services and a way to add routes and state. */
export interface EmuCore {
  clock: EmuClock;
  ids: Ids;
  faults: Faults;
  /** Timing profile in virtual milliseconds (boot times, build times, …). */
  timing: TimingProfile;
  /** `https://127.0.0.1:<port>`: the API base URL, also the base of live URLs and the Functions API host. */
  baseUrl(): string;
  route(method: string, pattern: string, handler: Handler, options?: RouteOptions): void;
  /** Registers a state slice: `dump` feeds GET /_emulator/state, `reset` runs on POST /_emulator/reset. */
  state(name: string, slice: { dump(): unknown; reset(): void }): void;
  /** Runs when the emulator stops (close servers, kill processes, remove files). */
  onStop(cleanup: () => void | Promise<void>): void;
  /** A sandbox directory of the emulator's own, removed on stop. */
  workDir: string;
  /** Other modules' services by name (e.g. `droplets` for firewalls and tags). */
  services: Map<string, unknown>;
  /** WebSocket (or other upgrade) endpoints, e.g. the app console. */
  upgrade(pattern: string, handler: UpgradeHandler): void;
  /** Ports shared by every droplet on its own loopback address (`DO_SSH_PORT`, `DO_HTTP_PORT`). */
  ports: { ssh: number; http: number };
  /** Loopback addresses droplets can listen on: `range` (127.0.0.2+) or `single` (127.0.0.1 only). */
  loopback: 'range' | 'single';
  /** The Node binary that runs Functions actions (one of the Functions runtime's version, scripts/functions-node.mjs, when available). */
  runtimeNode: string;
  /**
   * Whether the account has DigitalOcean Functions' scheduled triggers preview at start (default
   * false, as for most accounts: the triggers API answers 403).
   */
  triggersPreview: boolean;
  /** The emulator's CA, for modules that serve TLS of their own. */
  tls: { caPem: string; certPem: string; keyPem: string };
  /** Container registry names other customers hold (registry names are global on DigitalOcean). */
  registryNamesTaken: readonly string[];
  /**
   * Declares host names the API port holds a certificate for (an app's default ingress, its active
   * custom domains): a TLS client asking for such a name (SNI) gets a certificate for it, signed by
   * the emulator's CA; any other name gets the loopback certificate.
   */
  certificateNames(holds: (servername: string) => boolean): void;
  /** The account's limits (GET /v2/account), enforced where DigitalOcean enforces them; settable. */
  limits: AccountLimits;
}

export interface AccountLimits {
  /** Droplets the account may have at once; a create that would exceed it is refused (422). */
  droplets: number;
}

export interface TimingProfile {
  /** Per-request API latency. */
  apiLatencyMs: number;
  dropletBootMs: number;
  actionMs: number;
  /** Droplet resize takes longer than other actions. */
  resizeMs: number;
  /**
   * After a power action completes, the droplet's `status` still shows the old state this long
   * (docs/fidelity.md, droplet-actions.status-lag); 0 shows the new state at once.
   */
  statusLagMs: number;
  appBuildMs: number;
  appDeployMs: number;
  /** Pending phases before build and before deploy. */
  appPendingMs: number;
  /** An app's custom domain: from DigitalOcean seeing its DNS point at the app to validating it. */
  appDomainVerifyMs: number;
  /** An app's custom domain: from validation to its certificate being issued and served (ACTIVE). */
  appDomainCertMs: number;
  registryGcMs: number;
  /*
   * cloud-init on a droplet's first boot (emulator/resources/droplets/first-boot.ts): the droplet is
   * `active` and answers SSH first; the container its user_data starts answers HTTP only once the
   * work the user_data asks for is done.
   */
  /** From `active` to cloud-init's final stage, where runcmd and user scripts run. */
  cloudInitStartMs: number;
  /** Refreshing the package index (`package_update`, `apt-get update`). */
  packageIndexMs: number;
  /** Upgrading the image's packages (`package_upgrade`). */
  packageUpgradeMs: number;
  /** Installing Docker on an image without it (apt `docker.io`, get.docker.com, …). */
  dockerInstallMs: number;
  /** Pulling the container image (after the registry login it needs). */
  imagePullMs: number;
  /** From `docker run` to the container answering on its published port. */
  containerStartMs: number;
  /**
   * How long a deleted droplet stays listed after `DELETE` answered 204 (with its last status, no
   * longer serving), until GET answers 404.
   */
  dropletDeleteMs: number;
}

export interface EmulatorModule {
  name: string;
  register(core: EmuCore): void | Promise<void>;
}
