import { createHash } from 'node:crypto';

/**
 * The MD5 fingerprint DigitalOcean shows for an OpenSSH public key line: colon-separated hex of
 * the MD5 of the base64-decoded key blob (the comment plays no part). DigitalOcean accepts it
 * wherever a key id is expected, so it names a key without a lookup.
 */
export function publicKeyFingerprint(publicKey: string): string {
  const blob = publicKey.trim().split(/\s+/)[1] ?? '';
  return createHash('md5')
    .update(Buffer.from(blob, 'base64'))
    .digest('hex')
    .replace(/(..)(?!$)/g, '$1:');
}
