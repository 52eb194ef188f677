import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';

/**
 * The CAs a websocket to DigitalOcean (or the emulator) trusts: with an extra CA (the same
 * DIGITALOCEAN_CA_FILE the API client uses) the system roots and NODE_EXTRA_CA_CERTS are listed
 * too, since an explicit `ca` replaces Node's default store. Undefined means Node's defaults.
 */
export function trustedCas(caPem: string | undefined): string[] | undefined {
  if (!caPem) return undefined;
  const cas = [...rootCertificates, caPem];
  const extraFile = process.env.NODE_EXTRA_CA_CERTS;
  if (extraFile) {
    try {
      cas.push(readFileSync(extraFile, 'utf8'));
    } catch {
      // Node has already warned about an unreadable NODE_EXTRA_CA_CERTS at startup.
    }
  }
  return cas;
}
