/**
 * Translation between the app spec as the tool holds it (DigitalOcean's own snake_case format, as
 * in `.do/app.yaml`) and dots' models (camelCase, with what they do not model in `additionalData`).
 */
import type { App_spec } from '@digitalocean/dots';
import type { AppSpec } from '../../config/app-spec.js';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A JSON copy without undefined and null members: absent and null mean the same to App Platform. */
export function plainJson(value: unknown): Json | undefined {
  if (value === null || value === undefined) return undefined;
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(plainJson).filter((item) => item !== undefined) as Json[];
  if (typeof value === 'object') {
    const out: Record<string, Json> = {};
    for (const [key, item] of Object.entries(value)) {
      const copy = plainJson(item);
      if (copy !== undefined) out[key] = copy;
    }
    return out;
  }
  if (typeof value === 'boolean' || typeof value === 'number' || typeof value === 'string') return value;
  return undefined;
}

function snakeCase(key: string): string {
  return key.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

/**
 * A dots model back to DigitalOcean's JSON: camelCase fields become snake_case again (dots derives
 * every app model field name that way), and `additionalData`, which dots fills with the fields it
 * does not model (app-level `envs`, nested progress steps, …), is merged in as it came.
 */
export function flattenModel(value: unknown): Json | undefined {
  if (value === null || value === undefined) return undefined;
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(flattenModel).filter((item) => item !== undefined) as Json[];
  if (typeof value !== 'object') return plainJson(value);
  const out: Record<string, Json> = {};
  for (const [key, item] of Object.entries(value)) {
    if (key === 'additionalData') {
      const extra = plainJson(item);
      if (extra && typeof extra === 'object' && !Array.isArray(extra)) Object.assign(out, extra);
      continue;
    }
    const copy = flattenModel(item);
    if (copy !== undefined) out[snakeCase(key)] = copy;
  }
  return out;
}

/** Pure: the snake_case spec from dots' parsed `App_spec`. */
export function flattenSpec(model: App_spec | null | undefined): AppSpec | undefined {
  const flat = flattenModel(model);
  return flat && typeof flat === 'object' && !Array.isArray(flat) ? (flat as AppSpec) : undefined;
}

/**
 * Pure: the request model for a spec. The spec travels exactly as written, in `additionalData`,
 * rather than through dots' typed fields: dots 1.19's serializer has no app-level `envs`, writes
 * `tag: "latest"` next to a digest (which App Platform refuses) and fills defaults the manifest did
 * not ask for. Kiota writes `additionalData` members as plain JSON, so the wire body is the spec.
 */
export function expandSpec(spec: AppSpec): App_spec {
  return { additionalData: (plainJson(spec) ?? {}) as Record<string, unknown> };
}
