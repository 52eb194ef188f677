/**
 * The info report: one JSON document (what `--json` prints), one list per resource kind. Rows carry
 * what a person needs to recognise a resource and nothing write-only: no namespace key, no app spec
 * (its SECRET values), no SSH public key.
 */

export type InfoScope = 'deployment' | 'account';

/** Who a row belongs to, as far as the tool can prove it. */
export interface Ownership {
  /** The deployment (`<name>-<environment>`) that owns it, when provable (tags, exact name). */
  owner?: string;
  /** Deployment scope: why a resource the deployment does not own is listed (a look-alike, …). */
  note?: string;
}

/** A Functions namespace, without its credentials (the key, and the uuid field). */
export interface NamespaceRow {
  label: string;
  region: string;
  api_host: string;
  namespace: string;
  created_at?: string;
}

/** How a DNS record relates to the deployment (deployment scope only). */
export type RecordState =
  /** A (name, type) the manifest manages, holding one of the values it should. */
  | 'ok'
  /** A managed (name, type) holding a value that is not the deployment's. */
  | 'points elsewhere'
  /** Managed, but its target (droplets, the app) does not exist yet to compare with. */
  | 'unverified'
  /** The tool's ownership marker for a domain it created. */
  | 'marker'
  /** Another type at a managed name where one is a CNAME (which shares its name with nothing): blocks the write. */
  | 'in the way';

export interface RecordRow {
  id: number;
  type: string;
  /** Relative to the domain, `@` for the apex. */
  name: string;
  data: string;
  ttl: number;
  state?: RecordState;
}

export interface DomainRow {
  name: string;
  /** False when the manifest names a domain the account does not hold (yet). */
  exists: boolean;
  /** The deployment whose marker record says this tool created the domain. */
  created_by?: string;
  records: RecordRow[];
  /** Records of the domain left out in deployment scope (not at a name the manifest manages). */
  other_records?: number;
}

export interface DeploymentPhase {
  id: string;
  phase: string;
  /** Progress steps done out of all, e.g. `3/7`. */
  progress?: string;
}

export interface ComponentRow {
  /** service, worker, job or static_site. */
  kind: string;
  name: string;
  instance_count?: number;
  instance_size?: string;
  /** `repository:tag` (or `@digest`) for image components. */
  image?: string;
}

/** A custom domain of an app: App Platform serves it once ACTIVE. */
export interface AppDomainRow {
  domain: string;
  /** PRIMARY or ALIAS (absent: unspecified). */
  type?: string;
  /** PENDING, CONFIGURING, ACTIVE or ERROR. */
  phase: string;
}

export interface AppRow extends Ownership {
  id: string;
  name: string;
  live_url?: string;
  /** The spec's custom domains with their phases; absent when it lists none. */
  domains?: AppDomainRow[];
  active_deployment?: DeploymentPhase;
  in_progress_deployment?: DeploymentPhase;
  components: ComponentRow[];
  /** Deployment scope: how the app's spec differs from deployment.yml (`path: now → manifest`). */
  differences?: string[];
}

export interface DropletRow extends Ownership {
  id: number;
  name: string;
  status: string;
  public_ipv4?: string;
  /** When the droplet has IPv6 (an AAAA record points at the droplets, or droplets.ipv6). */
  public_ipv6?: string;
  size: string;
  region: string;
  image: string;
  tags: string[];
  created_at?: string;
}

export interface RepositoryRow {
  name: string;
  tag_count: number;
  manifest_count?: number;
  /** Tags of the newest manifest. */
  latest_tags: string[];
  latest_updated_at?: string;
}

export interface RegistryRow {
  name: string;
  region?: string;
  tier?: string;
  storage_used_bytes?: number;
  repositories: RepositoryRow[];
}

export interface FirewallRow extends Ownership {
  id: string;
  name: string;
  status: string;
  /** `tcp 22 ← 0.0.0.0/0`, one per rule. */
  inbound: string[];
  outbound: string[];
  /** Droplets carrying these tags are behind it. */
  tags: string[];
  droplet_ids: number[];
}

export interface ProjectRow {
  id: string;
  name: string;
  purpose?: string;
  environment?: string;
  is_default: boolean;
}

export interface SshKeyRow extends Ownership {
  id: number;
  name: string;
  fingerprint: string;
}

export interface InfoResult {
  scope: InfoScope;
  namespaces: NamespaceRow[];
  domains: DomainRow[];
  apps: AppRow[];
  droplets: DropletRow[];
  /** The account's container registry (one per account), or null when it has none. */
  registry: RegistryRow | null;
  firewalls: FirewallRow[];
  projects: ProjectRow[];
  ssh_keys: SshKeyRow[];
}
