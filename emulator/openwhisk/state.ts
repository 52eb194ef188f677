/**
 * The Functions state shared by the DigitalOcean control plane (namespaces, triggers) and the
 * namespace's OpenWhisk API (packages, actions, activations). Plain maps, emptied on reset.
 */

/** OpenWhisk's `{ key, value }` pairs for parameters and annotations; `init` marks environment. */
export interface KeyValue {
  key: string;
  value: unknown;
  init?: boolean;
}

export interface ActionExec {
  kind: string;
  /** JavaScript source, or a base64 zip when `binary`. */
  code: string;
  binary: boolean;
  main?: string;
}

export interface ActionLimits {
  /** Milliseconds. */
  timeout: number;
  /** Megabytes. */
  memory: number;
  /** Megabytes of logs. */
  logs: number;
  concurrency: number;
}

export interface ActionRecord {
  /** `pkg/action`, or `action` in the default package. */
  qualifiedName: string;
  packageName: string | undefined;
  name: string;
  exec: ActionExec;
  parameters: KeyValue[];
  annotations: KeyValue[];
  limits: ActionLimits;
  version: string;
  publish: boolean;
  /** Virtual epoch milliseconds of the last change. */
  updated: number;
}

export interface PackageRecord {
  name: string;
  parameters: KeyValue[];
  annotations: KeyValue[];
  version: string;
  publish: boolean;
  updated: number;
}

/** OpenWhisk's activation status codes: what `response.status` says in words. */
export const ACTIVATION_STATUS = [
  'success',
  'application error',
  'action developer error',
  'whisk internal error',
] as const;
export type ActivationStatusCode = 0 | 1 | 2 | 3;

export interface ActivationRecord {
  activationId: string;
  /** The namespace (`fn-…`). */
  namespace: string;
  /** The action's simple name. */
  name: string;
  /** `pkg/action` or `action`: what the `name` filter of the activations list matches. */
  qualifiedName: string;
  version: string;
  /** Virtual epoch milliseconds. */
  start: number;
  end: number;
  duration: number;
  statusCode: ActivationStatusCode;
  result: unknown;
  logs: string[];
  annotations: KeyValue[];
  cause?: string;
}

export interface TriggerRecord {
  name: string;
  function: string;
  type: 'SCHEDULED';
  isEnabled: boolean;
  cron: string;
  body: Record<string, unknown> | null;
  createdAt: number;
  updatedAt: number;
  lastRunAt: number | undefined;
  /** Undefined while disabled. */
  nextRunAt: number | undefined;
}

export interface NamespaceRecord {
  uuid: string;
  key: string;
  /** `fn-<uuid>`: the id in API paths and the OpenWhisk namespace name. */
  name: string;
  label: string;
  region: string;
  createdAt: number;
  updatedAt: number;
  packages: Map<string, PackageRecord>;
  actions: Map<string, ActionRecord>;
  activations: Map<string, ActivationRecord>;
  triggers: Map<string, TriggerRecord>;
}

export class FunctionsState {
  readonly namespaces = new Map<string, NamespaceRecord>();

  byUuid(uuid: string): NamespaceRecord | undefined {
    for (const ns of this.namespaces.values()) if (ns.uuid === uuid) return ns;
    return undefined;
  }

  dump(): unknown {
    return [...this.namespaces.values()].map((ns) => ({
      namespace: ns.name,
      label: ns.label,
      region: ns.region,
      packages: [...ns.packages.keys()],
      actions: [...ns.actions.keys()],
      triggers: [...ns.triggers.values()].map((t) => ({
        name: t.name,
        function: t.function,
        enabled: t.isEnabled,
      })),
      activations: ns.activations.size,
    }));
  }

  clear(): void {
    this.namespaces.clear();
  }
}
