import type { Socket } from 'node:net';
import { createSecureContext, rootCertificates } from 'node:tls';
import { Agent, buildConnector, type RequestInit as UndiciRequestInit, fetch as undiciFetch } from 'undici';
import type { HttpEngine } from './engine.js';

/**
 * Passing `ca` replaces Node's trust store, so the system roots are listed with the extra CAs.
 * The context is built once: given a bare `ca`, every new connection re-parses ~150 root
 * certificates, which costs about 150 ms a connection.
 */
export function undiciEngine(extraCaPems: readonly string[]): HttpEngine {
  const secureContext = createSecureContext({ ca: [...rootCertificates, ...extraCaPems] });
  const connector = buildConnector({ secureContext });
  // Sockets still connecting are not the agent's yet: a TLS handshake that never completes would
  // keep the process alive until undici's own connect timeout, after the operation has answered.
  const sockets = new Set<Socket>();
  const agent = new Agent({
    connect: (options, callback) => {
      const socket = connector(options, callback) as unknown as Socket | undefined;
      if (socket) {
        sockets.add(socket);
        socket.once('close', () => sockets.delete(socket));
      }
      return socket as never;
    },
  });
  return {
    fetch: async (url, init) =>
      (await undiciFetch(url, { ...(init as UndiciRequestInit), dispatcher: agent })) as unknown as Response,
    // Destroyed, not closed: close() waits for requests still in flight, and at the end of an
    // operation those are only ones nobody waits for any more (a stalled server's, say).
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await agent.destroy();
    },
  };
}
