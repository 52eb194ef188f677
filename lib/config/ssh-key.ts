/**
 * OpenSSH public keys (`ssh-ed25519 AAAA… comment`). The base64 blob starts with the key type
 * again, length-prefixed; checking that catches keys pasted from the wrong line or truncated.
 */
import * as z from 'zod';

export const SSH_KEY_TYPES = [
  'ssh-ed25519',
  'ssh-rsa',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'sk-ssh-ed25519@openssh.com',
  'sk-ecdsa-sha2-nistp256@openssh.com',
] as const;

const BASE64_PATTERN = /^[A-Za-z0-9+/]+={0,2}$/;

/** Why `text` is not a one-line OpenSSH public key, or undefined when it is one. */
export function publicKeyProblem(text: string): string | undefined {
  if (/[\r\n]/.test(text.trim())) return 'must be a single line (the contents of a .pub file)';
  const [type = '', blob = ''] = text.trim().split(/\s+/);
  if (!(SSH_KEY_TYPES as readonly string[]).includes(type)) {
    return `must start with a key type: one of ${SSH_KEY_TYPES.join(', ')}`;
  }
  if (!BASE64_PATTERN.test(blob) || blob.length % 4 !== 0) {
    return 'must have the base64 key after its type (the contents of a .pub file)';
  }
  const bytes = Buffer.from(blob, 'base64');
  const declaredLength = bytes.length >= 4 ? bytes.readUInt32BE(0) : -1;
  const declaredType = bytes.subarray(4, 4 + declaredLength).toString('latin1');
  if (declaredType !== type) return `has a base64 key that is not a ${type} key (truncated or mixed up?)`;
  return undefined;
}

export function isOpenSshPublicKey(text: string): boolean {
  return publicKeyProblem(text) === undefined;
}

export const publicKeySchema = z
  .string()
  .transform((text) => text.trim())
  .superRefine((text, ctx) => {
    const message = publicKeyProblem(text);
    if (message !== undefined) ctx.addIssue({ code: 'custom', message });
  });
