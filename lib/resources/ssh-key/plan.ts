import type { PlanStep } from '../types.js';
import type { ActualSshKeys, DesiredSshKey } from './model.js';

export interface SshKeyPayload {
  name: string;
  publicKey: string;
  fingerprint: string;
}

const step = (
  action: PlanStep['action'],
  name: string,
  reason: string,
  extra: Partial<PlanStep<SshKeyPayload>> = {},
): PlanStep<SshKeyPayload> => ({ kind: 'ssh_key', action, name, reason, ...extra });

/**
 * Pure. The key is registered once per account: when the manifest's key is already there under
 * another name it is used as it is (a create would be refused), never renamed or replaced.
 */
export function planSshKey(
  desired: DesiredSshKey | undefined,
  actual: ActualSshKeys,
): PlanStep<SshKeyPayload>[] {
  if (!desired) return [];
  const payload = { name: desired.name, publicKey: desired.publicKey, fingerprint: desired.fingerprint };
  const { named, matching } = actual;
  if (named && named.fingerprint === desired.fingerprint) {
    return [step('noop', desired.name, 'registered', { id: String(named.id) })];
  }
  if (named && matching) {
    return [
      step(
        'delete',
        named.name,
        `holds an old public key; the manifest's key is registered as "${matching.name}"`,
        {
          id: String(named.id),
        },
      ),
    ];
  }
  if (named) {
    return [
      step('replace', desired.name, `public key changed (${named.fingerprint} → ${desired.fingerprint})`, {
        id: String(named.id),
        payload,
      }),
    ];
  }
  if (matching) {
    return [step('noop', desired.name, `already registered as "${matching.name}": used as it is`)];
  }
  return [step('create', desired.name, 'missing', { payload })];
}

/** Pure: only the key with our exact name is ours to delete. */
export function destroySshKey(actual: ActualSshKeys): PlanStep[] {
  const { named } = actual;
  if (!named) return [];
  return [step('delete', named.name, 'owned by the deployment (exact name)', { id: String(named.id) })];
}
