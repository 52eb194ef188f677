/**
 * The SSH key as the tool sees it. Keys are not taggable, so ours is the one with the exact name
 * sshKeyName(slug); DigitalOcean registers a public key once per account whatever its name, so
 * the key we want may also be there under another name (matched by fingerprint).
 */
import type { SshKeys } from '@digitalocean/dots';
import { sshKeyName } from '../../config/identity.js';
import type { Deployment } from '../../config/manifest.js';
import { publicKeyFingerprint } from './fingerprint.js';

export interface DesiredSshKey {
  name: string;
  publicKey: string;
  fingerprint: string;
}

export interface SshKeyState {
  id: number;
  name: string;
  fingerprint: string;
  publicKey: string;
}

export interface ActualSshKeys {
  /** The name that proves ownership: sshKeyName(slug). */
  name: string;
  /** The key with exactly that name (ours), whatever public key it holds. */
  named: SshKeyState | undefined;
  /** The key registered with the manifest's public key, under any name. */
  matching: SshKeyState | undefined;
}

/** The manifest's droplets.ssh_key, named for the deployment; undefined without a droplets section. */
export function desiredSshKey(deployment: Deployment): DesiredSshKey | undefined {
  const publicKey = deployment.droplets?.ssh_key.public_key;
  if (publicKey === undefined) return undefined;
  return { name: sshKeyName(deployment.slug), publicKey, fingerprint: publicKeyFingerprint(publicKey) };
}

export function flattenSshKey(key: SshKeys): SshKeyState {
  return {
    id: key.id ?? 0,
    name: key.name ?? '',
    fingerprint: (key.fingerprint ?? '').toLowerCase(),
    publicKey: key.publicKey ?? '',
  };
}

/** Picks ours and the one holding `fingerprint` out of the account's keys. */
export function actualSshKeys(
  keys: readonly SshKeyState[],
  name: string,
  fingerprint: string | undefined,
): ActualSshKeys {
  return {
    name,
    named: keys.find((k) => k.name === name),
    matching: fingerprint === undefined ? undefined : keys.find((k) => k.fingerprint === fingerprint),
  };
}

/** How droplet creates name the key: its id and fingerprint, once it is registered under any name. */
export function sshKeyReference(actual: ActualSshKeys): { id: number; fingerprint: string } | undefined {
  return actual.matching ? { id: actual.matching.id, fingerprint: actual.matching.fingerprint } : undefined;
}
