/**
 * The Functions namespace and its scheduled triggers, through DigitalOcean's API (dots). A
 * namespace is found by its label, which DigitalOcean keeps unique per account.
 */
import type { Clock } from '../../lib/clock.js';
import { ApiError, createOnce, type DoApi, listAll, toApiError } from '../../lib/do/index.js';
import type { NamespaceAccess } from './openwhisk.js';
import type { TriggerState } from './plan.js';

export interface NamespaceInfo extends NamespaceAccess {
  label: string;
  region: string;
}

type DotsNamespace = {
  apiHost?: string | null;
  namespace?: string | null;
  uuid?: string | null;
  key?: string | null;
  label?: string | null;
  region?: string | null;
};

/** Pure: dots' namespace model as we use it; undefined when it lacks what a client needs. */
export function flattenNamespace(raw: DotsNamespace | null | undefined): NamespaceInfo | undefined {
  if (!raw?.apiHost || !raw.namespace || !raw.uuid || !raw.key) return undefined;
  return {
    apiHost: raw.apiHost,
    namespace: raw.namespace,
    uuid: raw.uuid,
    key: raw.key,
    label: raw.label ?? '',
    region: raw.region ?? '',
  };
}

export async function findNamespace(api: DoApi, label: string): Promise<NamespaceInfo | undefined> {
  try {
    // DigitalOcean answers this list whole (at most 10 per account); listAll stops after one page.
    const all = await listAll(
      async () => ({ items: (await api.client.v2.functions.namespaces.get())?.namespaces }),
      { what: 'Functions namespaces' },
    );
    return flattenNamespace(all.find((ns) => ns.label === label));
  } catch (error) {
    throw toApiError(error, { action: 'list', resource: 'Functions namespaces' });
  }
}

/** The namespace with this label, created in `region` if there is none; `created` says which. */
export async function ensureNamespace(
  api: DoApi,
  label: string,
  region: string,
  clock: Clock,
): Promise<{ namespace: NamespaceInfo; created: boolean }> {
  const { resource, created } = await createOnce({
    what: `Functions namespace ${label}`,
    clock,
    find: () => findNamespace(api, label),
    create: async () => {
      const made = flattenNamespace(
        (await api.client.v2.functions.namespaces.post({ label, region }))?.namespace,
      );
      if (!made) throw new Error('DigitalOcean created the namespace but did not return its credentials');
      return made;
    },
    hint: 'Check OPS_NAMESPACE_REGION, and that the account has fewer than 10 namespaces.',
  });
  return { namespace: resource, created };
}

export async function deleteNamespace(api: DoApi, namespace: NamespaceInfo): Promise<void> {
  try {
    await api.client.v2.functions.namespaces.byNamespace_id(namespace.namespace).delete();
  } catch (error) {
    throw toApiError(error, { action: 'delete', resource: `Functions namespace ${namespace.label}` });
  }
}

type DotsTrigger = {
  name?: string | null;
  functionEscaped?: string | null;
  isEnabled?: boolean | null;
  scheduledDetails?: {
    cron?: string | null;
    body?: { name?: string | null; additionalData?: Record<string, unknown> } | null;
  } | null;
};

/** Pure: dots' trigger model as the planner compares it, `function` as `<package>/<function>`. */
export function flattenTrigger(raw: DotsTrigger, namespace: string): TriggerState {
  const fn = raw.functionEscaped ?? '';
  const prefix = `/${namespace}/`;
  const body = raw.scheduledDetails?.body;
  const flatBody =
    body === null || body === undefined
      ? undefined
      : { ...(body.additionalData ?? {}), ...(body.name ? { name: body.name } : {}) };
  return {
    name: raw.name ?? '',
    function: fn.startsWith(prefix) ? fn.slice(prefix.length) : fn.replace(/^\/+/, ''),
    cron: raw.scheduledDetails?.cron ?? '',
    enabled: raw.isEnabled === true,
    body: flatBody !== undefined && Object.keys(flatBody).length > 0 ? flatBody : undefined,
  };
}

/** Pure: the create body dots serializes (`function`, `is_enabled`, `scheduled_details`). */
export function expandTrigger(trigger: TriggerState) {
  return {
    name: trigger.name,
    functionEscaped: trigger.function,
    type: 'SCHEDULED',
    isEnabled: trigger.enabled,
    scheduledDetails: {
      cron: trigger.cron,
      ...(trigger.body ? { body: { additionalData: { ...trigger.body } } } : {}),
    },
  };
}

/**
 * Scheduled triggers are a private preview on DigitalOcean Functions: an account without it is
 * refused the triggers API (403; the exact answer is not documented, so a 404 on the collection of
 * a namespace that exists counts the same). Any other failure stays a failure.
 */
export function isTriggersUnavailable(error: unknown): error is ApiError {
  return error instanceof ApiError && (error.status === 403 || error.status === 404);
}

/** The triggers, or `unavailable` with DigitalOcean's words when the account has no triggers preview. */
export async function readTriggers(
  api: DoApi,
  namespace: string,
): Promise<{ available: true; triggers: TriggerState[] } | { available: false; reason: string }> {
  try {
    return { available: true, triggers: await listTriggers(api, namespace) };
  } catch (error) {
    if (isTriggersUnavailable(error)) return { available: false, reason: error.message };
    throw error;
  }
}

export async function listTriggers(api: DoApi, namespace: string): Promise<TriggerState[]> {
  try {
    const all = await listAll(
      async () => ({
        items: (await api.client.v2.functions.namespaces.byNamespace_id(namespace).triggers.get())?.triggers,
      }),
      { what: 'triggers' },
    );
    return all.map((t) => flattenTrigger(t, namespace));
  } catch (error) {
    throw toApiError(error, { action: 'list', resource: 'triggers' });
  }
}

export async function createTrigger(api: DoApi, namespace: string, trigger: TriggerState): Promise<void> {
  try {
    await api.client.v2.functions.namespaces.byNamespace_id(namespace).triggers.post(expandTrigger(trigger));
  } catch (error) {
    throw toApiError(error, { action: 'create', resource: `trigger ${trigger.name}` });
  }
}

export async function updateTrigger(api: DoApi, namespace: string, trigger: TriggerState): Promise<void> {
  const { isEnabled, scheduledDetails } = expandTrigger(trigger);
  try {
    await api.client.v2.functions.namespaces
      .byNamespace_id(namespace)
      .triggers.byTrigger_name(trigger.name)
      .put({ isEnabled, scheduledDetails });
  } catch (error) {
    throw toApiError(error, { action: 'update', resource: `trigger ${trigger.name}` });
  }
}

export async function deleteTrigger(api: DoApi, namespace: string, name: string): Promise<void> {
  try {
    await api.client.v2.functions.namespaces.byNamespace_id(namespace).triggers.byTrigger_name(name).delete();
  } catch (error) {
    throw toApiError(error, { action: 'delete', resource: `trigger ${name}` });
  }
}
