/**
 * The lock's uniqueness token: an ed25519 public key derived from the deployment slug alone, so
 * every invocation on every machine derives the same key, and DigitalOcean's rule that a public
 * key is registered once per account makes registering it an atomic test-and-set. The private
 * half is derived only to compute the public one and is discarded at once: it protects nothing
 * (anyone can derive it from the slug), and no droplet is ever created with this key.
 */
import { createHash, createPrivateKey, createPublicKey } from 'node:crypto';
import { publicKeyFingerprint } from '../resources/ssh-key/fingerprint.js';

/** The DER header of a PKCS#8 ed25519 private key; the 32-byte seed follows it. */
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const KEY_TYPE = 'ssh-ed25519';

/** The seed of `slug`'s lock key: versioned, so a new scheme can never meet an old lock. */
export function lockSeed(slug: string): Buffer {
  return createHash('sha256').update(`base2-do lock v1 ${slug}`, 'utf8').digest();
}

/** An SSH wire-format string: a 32-bit big-endian length, then the bytes. */
function sshString(bytes: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
}

/** The 32-byte ed25519 public key for a seed (the tail of its SPKI encoding). */
function rawPublicKey(seed: Buffer): Buffer {
  const privateKey = createPrivateKey({
    key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]),
    format: 'der',
    type: 'pkcs8',
  });
  const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  return spki.subarray(spki.length - 32);
}

/** Pure: the OpenSSH public key line registered as `slug`'s lock. */
export function lockPublicKey(slug: string): string {
  const blob = Buffer.concat([sshString(Buffer.from(KEY_TYPE)), sshString(rawPublicKey(lockSeed(slug)))]);
  return `${KEY_TYPE} ${blob.toString('base64')} base2-do-lock:${slug}`;
}

/** Pure: the MD5 fingerprint DigitalOcean gives the lock key; it names the key in GET /v2/account/keys/:id. */
export function lockFingerprint(slug: string): string {
  return publicKeyFingerprint(lockPublicKey(slug));
}
