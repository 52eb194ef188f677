import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';

const ENCRYPTED = /^EV\[1:([A-Za-z0-9+/=]+):([A-Za-z0-9+/=]+)\]$/;

/**
 * App Platform's encrypted values: a SECRET env (or registry credential) is returned as
 * `EV[1:<nonce>:<ciphertext>]`, and sending that form back means "unchanged". Encryption is
 * per app (a value copied from another app does not decrypt) and deterministic (the same value
 * encrypts the same way), so an unchanged spec round-trips byte for byte.
 */
export class SecretBox {
  constructor(private readonly master: Buffer = randomBytes(32)) {}

  static isEncrypted(value: string): boolean {
    return ENCRYPTED.test(value);
  }

  encrypt(appId: string, plain: string): string {
    const key = this.key(appId);
    // Synthetic nonce from the value itself: deterministic, and distinct values never share one.
    const nonce = createHmac('sha256', key).update(plain).digest().subarray(0, 12);
    const cipher = createCipheriv('aes-256-gcm', key, nonce);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return `EV[1:${nonce.toString('base64')}:${body.toString('base64')}]`;
  }

  /** The plain value, or undefined when the value was not encrypted for this app. */
  decrypt(appId: string, value: string): string | undefined {
    const match = ENCRYPTED.exec(value);
    if (!match) return undefined;
    const nonce = Buffer.from(match[1]!, 'base64');
    const body = Buffer.from(match[2]!, 'base64');
    if (nonce.length !== 12 || body.length < 16) return undefined;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key(appId), nonce);
      decipher.setAuthTag(body.subarray(body.length - 16));
      return Buffer.concat([decipher.update(body.subarray(0, body.length - 16)), decipher.final()]).toString(
        'utf8',
      );
    } catch {
      return undefined;
    }
  }

  private key(appId: string): Buffer {
    return createHmac('sha256', this.master).update(`app:${appId}`).digest();
  }
}
