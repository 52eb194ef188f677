import { createSecureContext, rootCertificates } from 'node:tls';
import { Agent, type RequestInit as UndiciRequestInit, fetch as undiciFetch } from 'undici';
import type { HttpEngine } from './engine.js';

/**
 * Passing `ca` replaces Node's trust store, so the system roots are listed with the extra CAs.
 * The context is built once: given a bare `ca`, every new connection re-parses ~150 root
 * certificates, which costs about 150 ms a connection.
 */
export function undiciEngine(extraCaPems: readonly string[]): HttpEngine {
  const secureContext = createSecureContext({ ca: [...rootCertificates, ...extraCaPems] });
  const agent = new Agent({ connect: { secureContext } });
  return {
    fetch: async (url, init) =>
      (await undiciFetch(url, { ...(init as UndiciRequestInit), dispatcher: agent })) as unknown as Response,
    // Destroyed, not closed: close() waits for requests still in flight, and at the end of an
    // operation those are only ones nobody waits for any more (a stalled server's, say).
    close: () => agent.destroy(),
  };
}
