import { createHash } from 'node:crypto';

/** OpenSSH's form of a host key fingerprint: `SHA256:` and unpadded base64 of the key blob's digest. */
export function sha256Fingerprint(keyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`;
}

/** Fingerprints compare without base64 padding, which some tools print and OpenSSH does not. */
export function sameFingerprint(a: string, b: string): boolean {
  return a.replace(/=+$/, '') === b.replace(/=+$/, '');
}

/** `DO_SSH_HOST_FINGERPRINT` pins one host key or several, separated by commas. */
export function pinnedFingerprints(pinned: string): string[] {
  return pinned
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
}
