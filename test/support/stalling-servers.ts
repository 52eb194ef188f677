/**
 * Loopback servers that misbehave on the wire the way a hung proxy, a half-dead load balancer or a
 * hostile host does: they accept the connection and then never finish something. Each records when
 * it accepted its first connection, so a test can measure how long a client held on.
 */
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { type AddressInfo, createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { testPki } from './https-server.js';

export type StallKind =
  /** TLS completes and the request is read, but no status line ever comes. */
  | 'no-answer'
  /** TCP is accepted and nothing is ever sent: the TLS handshake never completes. */
  | 'no-handshake'
  /** The status line and headers come (200, JSON, a length), then the body stops half-way. */
  | 'stalled-body'
  /** Headers, then the body one byte every 200 ms: always something arriving, never the end. */
  | 'drip'
  /** Headers, then JSON without end, as fast as the client reads it: a body no real answer has. */
  | 'endless-body';

export interface StallingServer {
  readonly origin: string;
  readonly caPem: string;
  /** `performance.now()` when the first connection was accepted, or undefined. */
  firstConnectionAt(): number | undefined;
  connections(): number;
  close(): Promise<void>;
}

export const STALL_KINDS: readonly StallKind[] = [
  'no-answer',
  'no-handshake',
  'stalled-body',
  'drip',
  'endless-body',
];

export async function startStallingServer(kind: StallKind): Promise<StallingServer> {
  const pki = await testPki();
  const sockets = new Set<Socket>();
  const timers = new Set<ReturnType<typeof setInterval>>();
  let first: number | undefined;
  let count = 0;
  const track = (socket: Socket) => {
    first ??= performance.now();
    count += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  };

  let server: Server | HttpsServer;
  if (kind === 'no-handshake') {
    server = createTcpServer(track);
  } else {
    const https = createHttpsServer({ cert: pki.server.certPem, key: pki.server.keyPem }, (req, res) => {
      req.resume();
      if (kind === 'no-answer') return;
      if (kind === 'endless-body') {
        res.writeHead(200, { 'content-type': 'application/json' });
        const chunk = `${'{"id":1,"name":"base2-staging-1"},'.repeat(2048)}`;
        const pump = () => {
          while (!res.destroyed && res.write(chunk)) {
            // Keeps writing while the client keeps reading.
          }
        };
        res.write('{"droplets":[');
        res.on('drain', pump);
        pump();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '4096' });
      res.write('{"account":{"email":"ops@example.com",');
      if (kind === 'drip') {
        const timer = setInterval(() => {
          if (res.destroyed) clearInterval(timer);
          else res.write(' ');
        }, 200);
        timers.add(timer);
      }
    });
    https.on('connection', track);
    server = https;
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `https://127.0.0.1:${port}`,
    caPem: pki.ca.certPem,
    firstConnectionAt: () => first,
    connections: () => count,
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearInterval(timer);
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
