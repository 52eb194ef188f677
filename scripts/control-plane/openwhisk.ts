/**
 * The namespace's OpenWhisk API, which dots does not cover: packages and actions, authenticated
 * with the namespace's `uuid:key` (HTTP Basic) over our HTTPS client. Failures become one ApiError
 * sentence; the credentials never appear in one.
 */

import { cleanDetail } from '../../lib/do/errors.js';
import type { HttpsClient } from '../../lib/do/index.js';
import { ApiError, toApiError } from '../../lib/do/index.js';
import { TransportAnnotation } from '../../lib/do/transport-error.js';

export interface NamespaceAccess {
  /** https://…, the namespace's API host. */
  apiHost: string;
  /** `fn-<uuid>`. */
  namespace: string;
  uuid: string;
  key: string;
}

export interface KeyVal {
  key: string;
  value: unknown;
  init?: boolean;
}

export interface OwPackage {
  name: string;
  parameters: KeyVal[];
  annotations: KeyVal[];
  /** The functions inside, when read with GET. */
  actions: { name: string }[];
}

export interface OwAction {
  name: string;
  exec: { kind: string; binary: boolean; main?: string };
  parameters: KeyVal[];
  annotations: KeyVal[];
  limits: Record<string, number>;
}

export interface PackageBody {
  parameters: KeyVal[];
  annotations: KeyVal[];
  publish: boolean;
}

export interface ActionBody {
  exec: { kind: string; code: string; binary: boolean; main?: string };
  parameters: KeyVal[];
  annotations: KeyVal[];
  limits: Record<string, number>;
}

/** One runtime kind of the API host's manifest (OpenWhisk's `runtimes` in its info document). */
export interface OwRuntime {
  kind: string;
  default: boolean;
  deprecated: boolean;
}

export class OpenWhisk {
  private readonly host: string;
  private readonly base: string;
  private readonly authorization: string;

  constructor(
    access: NamespaceAccess,
    private readonly https: HttpsClient,
  ) {
    this.host = access.apiHost.replace(/\/+$/, '');
    this.base = `${this.host}/api/v1/namespaces/_`;
    this.authorization = `Basic ${Buffer.from(`${access.uuid}:${access.key}`).toString('base64')}`;
  }

  /**
   * The runtime kinds the API host offers, from its info document (`GET /api/v1`, where
   * DigitalOcean's deployer reads them too), or undefined when it lists none.
   */
  async runtimes(): Promise<OwRuntime[] | undefined> {
    const info = await this.call('GET', '', 'read the runtimes offered', { url: `${this.host}/api/v1` });
    const families = (info as { runtimes?: unknown } | undefined)?.runtimes;
    if (typeof families !== 'object' || families === null) return undefined;
    return Object.values(families).flatMap((entries) =>
      (Array.isArray(entries) ? entries : [])
        .filter((entry): entry is Record<string, unknown> => typeof entry?.kind === 'string')
        .map((entry) => ({
          kind: entry.kind as string,
          default: entry.default === true,
          deprecated: entry.deprecated === true,
        })),
    );
  }

  async getPackage(name: string): Promise<OwPackage | undefined> {
    const body = await this.call('GET', `/packages/${encodeURIComponent(name)}`, `read package ${name}`, {
      allowMissing: true,
    });
    return body === undefined ? undefined : flattenPackage(body);
  }

  async putPackage(name: string, body: PackageBody): Promise<void> {
    await this.call('PUT', `/packages/${encodeURIComponent(name)}?overwrite=true`, `put package ${name}`, {
      body,
    });
  }

  /** Deletes an empty package; true when it was there. */
  async deletePackage(name: string): Promise<boolean> {
    const gone = await this.call(
      'DELETE',
      `/packages/${encodeURIComponent(name)}`,
      `delete package ${name}`,
      {
        allowMissing: true,
      },
    );
    return gone !== undefined;
  }

  /** The action without its code (`?code=false`), or undefined. */
  async getAction(pkg: string, name: string): Promise<OwAction | undefined> {
    const body = await this.call(
      'GET',
      `${actionPath(pkg, name)}?code=false`,
      `read function ${pkg}/${name}`,
      {
        allowMissing: true,
      },
    );
    return body === undefined ? undefined : flattenAction(body);
  }

  async putAction(pkg: string, name: string, body: ActionBody): Promise<void> {
    await this.call('PUT', `${actionPath(pkg, name)}?overwrite=true`, `put function ${pkg}/${name}`, {
      body,
    });
  }

  async deleteAction(pkg: string, name: string): Promise<boolean> {
    const gone = await this.call('DELETE', actionPath(pkg, name), `delete function ${pkg}/${name}`, {
      allowMissing: true,
    });
    return gone !== undefined;
  }

  /** Names of every package and of every action in the namespace (at most 200 of each: a namespace's whole list). */
  async contents(): Promise<{ packages: string[]; actions: string[] }> {
    const names = (list: unknown) =>
      (Array.isArray(list) ? list : []).map((item) => String((item as { name?: unknown }).name ?? ''));
    const [packages, actions] = await Promise.all([
      this.call('GET', '/packages?limit=200', 'list packages'),
      this.call('GET', '/actions?limit=200', 'list functions'),
    ]);
    return { packages: names(packages), actions: names(actions) };
  }

  private async call(
    method: string,
    path: string,
    action: string,
    options: { body?: unknown; allowMissing?: boolean; url?: string } = {},
  ): Promise<unknown> {
    let response: Response;
    try {
      response = await this.https.request(options.url ?? `${this.base}${path}`, {
        method,
        headers: {
          authorization: this.authorization,
          accept: 'application/json',
          ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
      });
    } catch (error) {
      throw toApiError(error, { action });
    }
    const text = await response.text();
    if (response.status === 404 && options.allowMissing) return undefined;
    const parsed = parseJson(text);
    if (response.status >= 400) {
      const detail = (parsed as { error?: unknown } | undefined)?.error;
      const code = (parsed as { code?: unknown } | undefined)?.code;
      throw new ApiError(
        {
          status: response.status,
          ...(typeof detail === 'string' ? { detail: cleanDetail(detail) } : {}),
          ...(typeof code === 'string' ? { requestId: code } : {}),
          operation: action,
          ambiguous: response.headers.get(TransportAnnotation.ambiguous) === 'true',
        },
        response.status === 401
          ? { hint: 'The namespace key was refused; run bootstrap again to read it anew.' }
          : {},
      );
    }
    return parsed ?? {};
  }
}

function actionPath(pkg: string, name: string): string {
  return `/actions/${encodeURIComponent(pkg)}/${encodeURIComponent(name)}`;
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function keyVals(raw: unknown): KeyVal[] {
  if (!Array.isArray(raw)) return [];
  return raw
    .filter(
      (kv): kv is Record<string, unknown> =>
        typeof kv === 'object' && kv !== null && typeof kv.key === 'string',
    )
    .map((kv) => ({ key: kv.key as string, value: kv.value, ...(kv.init === true ? { init: true } : {}) }));
}

/** OpenWhisk's package JSON as we compare it. */
export function flattenPackage(raw: unknown): OwPackage {
  const body = (raw ?? {}) as Record<string, unknown>;
  const actions = Array.isArray(body.actions) ? body.actions : [];
  return {
    name: String(body.name ?? ''),
    parameters: keyVals(body.parameters),
    annotations: keyVals(body.annotations),
    actions: actions.map((a) => ({ name: String((a as { name?: unknown }).name ?? '') })),
  };
}

/** OpenWhisk's action JSON (read without code) as we compare it. */
export function flattenAction(raw: unknown): OwAction {
  const body = (raw ?? {}) as Record<string, unknown>;
  const exec = (body.exec ?? {}) as Record<string, unknown>;
  const limits: Record<string, number> = {};
  for (const [key, value] of Object.entries((body.limits ?? {}) as Record<string, unknown>)) {
    if (typeof value === 'number') limits[key] = value;
  }
  return {
    name: String(body.name ?? ''),
    exec: {
      kind: String(exec.kind ?? ''),
      binary: exec.binary === true,
      ...(typeof exec.main === 'string' ? { main: exec.main } : {}),
    },
    parameters: keyVals(body.parameters),
    annotations: keyVals(body.annotations),
    limits,
  };
}
