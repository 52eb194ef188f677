/**
 * Does the app need an update? App Platform returns SECRET values encrypted (`EV[1:…]`), fills in
 * defaults the spec left out and may reorder lists, so specs are normalised before they are
 * compared, and the comparison asks only about what the desired spec says:
 *
 * - SECRET values (and registry credentials) are write-only: DigitalOcean never shows them, so they
 *   compare as equal here. A changed SECRET is seen through the keyed digests the tool records in
 *   the spec (./proof.ts), as is a missing owner marker; those variables are compared only that way.
 *   Adding, removing or retyping a secret variable is seen, since keys, scopes and types are in the
 *   clear.
 * - Env variables get App Platform's defaults (scope RUN_AND_BUILD_TIME, type GENERAL); an image
 *   with neither tag nor digest means `latest`.
 * - Objects compare desired-side only: a field only the actual spec has is a server default
 *   (ingress generated from routes, instance size, alerts), not a change. Lists compare in full, by
 *   component name, env key or domain, so a removed component, variable or domain is a change.
 */
import type { AppSpec } from '../../config/app-spec.js';
import { proofDifferences, withoutProof } from './proof.js';
import { type Json, plainJson } from './spec-wire.js';

type JsonObject = { [key: string]: Json };

/** What a SECRET value compares as, on both sides. */
export const SECRET_VALUE = '(secret)';

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function normalizeEnv(env: Json): Json {
  if (!isObject(env)) return env;
  const type = typeof env.type === 'string' ? env.type : 'GENERAL';
  return {
    ...env,
    scope: typeof env.scope === 'string' && env.scope !== 'UNSET' ? env.scope : 'RUN_AND_BUILD_TIME',
    type,
    value: type === 'SECRET' ? SECRET_VALUE : (env.value ?? ''),
  };
}

function normalizeImage(image: JsonObject): JsonObject {
  const { registry_credentials: credentials, ...rest } = image;
  const pinned = rest.tag === undefined && rest.digest === undefined ? { tag: 'latest' } : {};
  const registry = rest.registry === '' ? { registry: undefined } : {};
  return plainJson({
    ...rest,
    ...pinned,
    ...registry,
    ...(credentials === undefined ? {} : { registry_credentials: SECRET_VALUE }),
  }) as JsonObject;
}

function normalize(value: Json, key?: string): Json {
  if (Array.isArray(value)) {
    const items = value.map((item) => normalize(item));
    return key === 'envs' ? items.map(normalizeEnv) : items;
  }
  if (!isObject(value)) return value;
  const out: JsonObject = {};
  for (const [name, item] of Object.entries(value)) out[name] = normalize(item, name);
  return key === 'image' ? normalizeImage(out) : out;
}

/** Pure: the spec as it is compared (plain JSON, defaults filled, secrets masked). */
export function normalizeSpec(spec: AppSpec): Json {
  return normalize(plainJson(spec) ?? {});
}

const IDENTITY_KEYS = ['name', 'key', 'domain'] as const;

/** The field that names a list's elements, when every element has one. */
function identityOf(items: Json[]): string | undefined {
  return IDENTITY_KEYS.find((id) => items.every((item) => isObject(item) && typeof item[id] === 'string'));
}

function show(value: Json | undefined): string {
  if (value === undefined) return '(unset)';
  if (typeof value === 'string') return value.length > 60 ? `${value.slice(0, 59)}…` : value;
  if (isObject(value) || Array.isArray(value)) return '(changed)';
  return String(value);
}

function compareLists(desired: Json[], actual: Json[], path: string, out: string[]): void {
  const named = identityOf(desired);
  const id = named && identityOf(actual) === named ? named : undefined;
  if (!id) {
    if (desired.length !== actual.length || desired.some((item) => !isObject(item))) {
      if (JSON.stringify(desired) !== JSON.stringify(actual)) out.push(`${path}: (changed)`);
      return;
    }
    desired.forEach((item, index) => {
      compare(item, actual[index], `${path}.${index}`, out);
    });
    return;
  }
  const byId = (items: Json[]) => new Map(items.map((item) => [(item as JsonObject)[id] as string, item]));
  const want = byId(desired);
  const have = byId(actual);
  for (const [name, item] of want) {
    const there = have.get(name);
    if (there === undefined) out.push(`${path}.${name}: added`);
    else compare(item, there, `${path}.${name}`, out);
  }
  for (const name of have.keys()) if (!want.has(name)) out.push(`${path}.${name}: removed`);
}

function compare(desired: Json, actual: Json | undefined, path: string, out: string[]): void {
  if (Array.isArray(desired) && Array.isArray(actual)) {
    compareLists(desired, actual, path, out);
    return;
  }
  if (isObject(desired) && isObject(actual)) {
    for (const [key, item] of Object.entries(desired)) {
      compare(item, actual[key], path ? `${path}.${key}` : key, out);
    }
    return;
  }
  if (JSON.stringify(desired) !== JSON.stringify(actual)) {
    out.push(`${path}: ${show(actual)} → ${show(desired)}`);
  }
}

/**
 * Pure: what would change if `desired` were sent, as `path: old → new` lines (SECRET values never
 * shown, since both sides hold only the mask). Empty when nothing would.
 */
export function specDifferences(desired: AppSpec, actual: AppSpec): string[] {
  const out: string[] = [];
  compare(normalizeSpec(withoutProof(desired)), normalizeSpec(withoutProof(actual)), '', out);
  return [...out, ...proofDifferences(desired, actual)];
}

/** Pure: whether `actual` already is what `desired` asks for. */
export function specMatches(desired: AppSpec, actual: AppSpec | undefined): boolean {
  return actual !== undefined && specDifferences(desired, actual).length === 0;
}
