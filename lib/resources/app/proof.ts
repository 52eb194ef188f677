/**
 * The app's proof of ownership and its record of SECRET values, both written by the tool into the
 * app's own spec (apps cannot carry tags: spec:tags_assign_resources), as app-wide GENERAL variables
 * scoped BUILD_TIME so no running container sees them:
 *
 * - BASE2_DO_OWNER: the owner marker of lib/config/identity.ts, `managed-by:base2-do <slug>`. An app
 *   named like the deployment without it was not made by the tool (or by an earlier version of it):
 *   the tool changes or deletes it only when adopted (./ownership.ts).
 * - BASE2_DO_SECRET_DIGESTS: `v1 k=<key id> <path>=<digest> …`, a keyed digest of each SECRET's plain
 *   value (DigestKey). App Platform answers SECRET values encrypted (`EV[…]`), so these digests are
 *   the only way to see that a SECRET changed since the tool last sent it.
 */
import { type AppEnvVar, type AppSpec, componentsOf, RESERVED_ENV_KEYS } from '../../config/app-spec.js';
import { type DigestKey, OWNER_ENV_KEY, ownerMarker } from '../../config/identity.js';

export const DIGESTS_ENV_KEY = 'BASE2_DO_SECRET_DIGESTS';
export const TOOL_ENV_KEYS: readonly string[] = RESERVED_ENV_KEYS;

export function isToolEnvKey(key: string): boolean {
  return TOOL_ENV_KEYS.includes(key);
}

/** A value App Platform encrypted: sent back, it means "unchanged", and its plain value is unknown. */
export function isEncryptedValue(value: string | undefined): boolean {
  return value !== undefined && /^EV\[/.test(value);
}

export interface SecretVar {
  /** `envs.KEY` (app-wide) or `services.web.envs.KEY`. */
  path: string;
  key: string;
  value: string | undefined;
}

/** Pure: every SECRET variable of the spec, app-wide first, with its path. */
export function secretsOf(spec: AppSpec): SecretVar[] {
  const lists: Array<[string, AppEnvVar[]]> = [
    ['envs', spec.envs ?? []],
    ...componentsOf(spec).map(({ kind, component }): [string, AppEnvVar[]] => [
      `${kind}.${component.name}.envs`,
      component.envs ?? [],
    ]),
  ];
  return lists.flatMap(([prefix, envs]) =>
    envs
      .filter((env) => env.type === 'SECRET')
      .map((env) => ({ path: `${prefix}.${env.key}`, key: env.key, value: env.value })),
  );
}

export interface Digests {
  keyId: string;
  byPath: Map<string, string>;
}

export function formatDigests(digests: Digests): string {
  const entries = [...digests.byPath].sort(([a], [b]) => a.localeCompare(b)).map(([p, d]) => `${p}=${d}`);
  return ['v1', `k=${digests.keyId}`, ...entries].join(' ');
}

/** Pure: the digests a value holds, or undefined when it is not in the tool's format. */
export function parseDigests(value: string | undefined): Digests | undefined {
  const [version, key, ...entries] = (value ?? '').split(' ').filter(Boolean);
  if (version !== 'v1' || !key?.startsWith('k=')) return undefined;
  const byPath = new Map<string, string>();
  for (const entry of entries) {
    const at = entry.lastIndexOf('=');
    if (at > 0) byPath.set(entry.slice(0, at), entry.slice(at + 1));
  }
  return { keyId: key.slice(2), byPath };
}

function appWide(spec: AppSpec, key: string): AppEnvVar | undefined {
  return spec.envs?.find((env) => env.key === key);
}

/** The owner marker the app's spec carries, if any. */
export function ownerOf(spec: AppSpec): string | undefined {
  return appWide(spec, OWNER_ENV_KEY)?.value;
}

/** The SECRET digests the app's spec records, if any. */
export function recordedDigests(spec: AppSpec): Digests | undefined {
  return parseDigests(appWide(spec, DIGESTS_ENV_KEY)?.value);
}

/** Pure: whether the spec carries this deployment's owner marker. */
export function isMarkedFor(spec: AppSpec, slug: string): boolean {
  return ownerOf(spec) === ownerMarker(slug);
}

function toolVar(key: string, value: string): AppEnvVar {
  return { key, value, scope: 'BUILD_TIME', type: 'GENERAL' };
}

/**
 * Pure: `spec` with the tool's variables set: the owner marker, and the digests of its plain SECRET
 * values (`recorded`, when given, supplies the digests of values the spec holds encrypted: an edit
 * that keeps a SECRET as it is keeps its digest).
 */
export function stampSpec(spec: AppSpec, slug: string, key: DigestKey, recorded?: Digests): AppSpec {
  const byPath = new Map<string, string>();
  for (const secret of secretsOf(spec)) {
    if (secret.value === undefined) continue;
    if (!isEncryptedValue(secret.value)) byPath.set(secret.path, key.digest(slug, secret.path, secret.value));
    else if (recorded?.keyId === key.id && recorded.byPath.has(secret.path))
      byPath.set(secret.path, recorded.byPath.get(secret.path)!);
  }
  const envs = (spec.envs ?? []).filter((env) => !isToolEnvKey(env.key));
  envs.push(toolVar(OWNER_ENV_KEY, ownerMarker(slug)));
  if (byPath.size > 0) envs.push(toolVar(DIGESTS_ENV_KEY, formatDigests({ keyId: key.id, byPath })));
  return { ...spec, envs };
}

/** Pure: `spec` without the tool's variables (an app-wide list left empty goes too). */
export function withoutProof(spec: AppSpec): AppSpec {
  if (!spec.envs?.some((env) => isToolEnvKey(env.key))) return spec;
  const envs = spec.envs.filter((env) => !isToolEnvKey(env.key));
  const { envs: _envs, ...rest } = spec;
  return envs.length > 0 ? { ...rest, envs } : rest;
}

/**
 * Pure: what the tool's variables say differs, as plan lines naming keys, never values: a missing
 * owner marker, and each SECRET of `desired` whose digest is not the one `actual` records.
 */
export function proofDifferences(desired: AppSpec, actual: AppSpec): string[] {
  const out: string[] = [];
  const wantOwner = ownerOf(desired);
  if (wantOwner !== undefined && ownerOf(actual) !== wantOwner) {
    out.push(`${OWNER_ENV_KEY}: ownership marker added`);
  }
  const want = recordedDigests(desired);
  if (!want) return out;
  const have = recordedDigests(actual);
  // A SECRET the app does not have yet (or holds as GENERAL) is a change the spec comparison names.
  const held = new Set(secretsOf(actual).map((secret) => secret.path));
  for (const [path, digest] of want.byPath) {
    if (!held.has(path)) continue;
    if (!have) out.push(`${path}: SECRET value not on record (rolled out to record its digest)`);
    else if (have.keyId !== want.keyId)
      out.push(`${path}: SECRET digest made with another DigitalOcean token (rolled out again)`);
    else if (have.byPath.get(path) !== digest) out.push(`${path}: SECRET value changed`);
  }
  return out;
}
