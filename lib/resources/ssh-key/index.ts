/**
 * The deployment's SSH key (droplets.ssh_key), registered through the API so droplets are created
 * with it and exec can log in. Owned by exact name; a key already registered under another name is
 * used as it is and reported, never replaced.
 */
import { sshKeyName } from '../../config/identity.js';
import type { Deployment } from '../../config/manifest.js';
import type { OpContext } from '../../ops/types.js';
import type { Check, ResourceModule } from '../types.js';
import { applySshKeySteps } from './apply.js';
import { publicKeyFingerprint } from './fingerprint.js';
import { type ActualSshKeys, actualSshKeys, type DesiredSshKey, desiredSshKey } from './model.js';
import { destroySshKey, planSshKey } from './plan.js';
import { listSshKeys } from './read.js';

export { publicKeyFingerprint } from './fingerprint.js';
export {
  type ActualSshKeys,
  type DesiredSshKey,
  flattenSshKey,
  type SshKeyState,
  sshKeyReference,
} from './model.js';
export { destroySshKey, planSshKey, type SshKeyPayload } from './plan.js';

async function readSshKeys(ctx: OpContext, deployment: Deployment): Promise<ActualSshKeys> {
  const publicKey = deployment.droplets?.ssh_key.public_key;
  const fingerprint = publicKey === undefined ? undefined : publicKeyFingerprint(publicKey);
  return actualSshKeys(await listSshKeys(ctx), sshKeyName(deployment.slug), fingerprint);
}

function sshKeyWarnings(actual: ActualSshKeys | undefined, deployment: Deployment): string[] {
  const desired = desiredSshKey(deployment);
  const matching = actual?.matching;
  if (!desired || !matching || matching.name === desired.name) return [];
  return [
    `The SSH public key of droplets.ssh_key is already registered as "${matching.name}" ` +
      `(fingerprint ${matching.fingerprint}); DigitalOcean registers a key once per account, so that key ` +
      `is used as it is and no key named "${desired.name}" is made.`,
  ];
}

async function verifySshKey(
  ctx: OpContext,
  deployment: Deployment,
  desired: DesiredSshKey,
): Promise<Check[]> {
  const actual = await readSshKeys(ctx, deployment);
  const key = actual.matching;
  return [
    {
      kind: 'ssh_key',
      name: desired.name,
      ok: key !== undefined,
      detail: key
        ? `registered as "${key.name}" (fingerprint ${key.fingerprint})`
        : `no key with fingerprint ${desired.fingerprint} is registered: run deploy again`,
    },
  ];
}

export const sshKeyModule: ResourceModule<DesiredSshKey, ActualSshKeys> = {
  kind: 'ssh_key',
  desired: (deployment) => desiredSshKey(deployment),
  read: readSshKeys,
  plan: planSshKey,
  apply: applySshKeySteps,
  destroy: destroySshKey,
  warnings: (actual, deployment) => sshKeyWarnings(actual, deployment),
  verify: verifySshKey,
};
