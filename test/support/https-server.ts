/**
 * A real HTTPS server on 127.0.0.1 for tests of the DigitalOcean seam: it answers from a script
 * (one reply per request, in order) and then from a handler, and records every request it saw.
 */

import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import {
  type CertificateAuthority,
  createCertificateAuthority,
  issueServerCertificate,
  type PemPair,
} from '../../emulator/tls.js';
import type { Clock } from '../../lib/clock.js';

export interface RecordedRequest {
  method: string;
  /** Path and query, as sent. */
  url: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface JsonReply {
  status: number;
  headers?: Record<string, string>;
  /** Objects are sent as JSON; strings as they are. */
  body?: unknown;
  /** Real milliseconds to wait before answering. */
  delayMs?: number;
}

/** `drop` destroys the socket after reading the request, as a crashed proxy or a cut link would. */
export type Reply = JsonReply | 'drop';
export type Handler = (request: RecordedRequest) => Reply | Promise<Reply>;

export interface TestServer {
  /** `https://127.0.0.1:<port>` */
  readonly origin: string;
  readonly caPem: string;
  readonly requests: RecordedRequest[];
  /** Queue replies for the next requests, before the handler takes over. */
  script(...replies: Reply[]): void;
  close(): Promise<void>;
}

export interface TestServerOptions {
  handler?: Handler;
  pki?: TestPki;
  /** Stamps `date` with this clock, so a client on the same test clock agrees on the time. */
  clock?: Clock;
}

export interface TestPki {
  ca: CertificateAuthority;
  server: PemPair;
}

let sharedPki: Promise<TestPki> | undefined;

/** One CA and loopback certificate per test process: key generation is the slow part. */
export function testPki(): Promise<TestPki> {
  sharedPki ??= createTestPki();
  return sharedPki;
}

export async function createTestPki(commonName?: string): Promise<TestPki> {
  const ca = await createCertificateAuthority(commonName ? { commonName } : {});
  return { ca, server: await issueServerCertificate(ca) };
}

export function doError(status: number, id: string, message: string, requestId = `req-${status}`): JsonReply {
  return { status, body: { id, message, request_id: requestId }, headers: { 'x-request-id': requestId } };
}

export const notFound: JsonReply = doError(
  404,
  'not_found',
  'The resource you were accessing could not be found.',
);

async function readRequest(req: IncomingMessage): Promise<RecordedRequest> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const url = new URL(req.url ?? '/', 'https://127.0.0.1');
  return {
    method: req.method ?? 'GET',
    url: req.url ?? '/',
    path: url.pathname,
    query: url.searchParams,
    headers: req.headers,
    body: Buffer.concat(chunks).toString('utf8'),
  };
}

function send(res: ServerResponse, reply: JsonReply, clock?: Clock): void {
  const text =
    typeof reply.body === 'string' ? reply.body : reply.body === undefined ? '' : JSON.stringify(reply.body);
  const headers: Record<string, string> = { ...reply.headers };
  if (clock) headers.date ??= new Date(clock.now()).toUTCString();
  if (text && typeof reply.body !== 'string') headers['content-type'] ??= 'application/json; charset=utf-8';
  res.writeHead(reply.status, headers);
  res.end(text);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function startHttpsServer(options: TestServerOptions = {}): Promise<TestServer> {
  const pki = options.pki ?? (await testPki());
  const queue: Reply[] = [];
  const requests: RecordedRequest[] = [];
  const handler: Handler = options.handler ?? (() => notFound);

  const server: Server = createServer({ cert: pki.server.certPem, key: pki.server.keyPem }, (req, res) => {
    readRequest(req)
      .then(async (request) => {
        requests.push(request);
        const reply = queue.shift() ?? (await handler(request));
        if (reply === 'drop') {
          req.socket.destroy();
          return;
        }
        if (reply.delayMs) await sleep(reply.delayMs);
        if (!res.destroyed) send(res, reply, options.clock);
      })
      .catch((error: unknown) =>
        send(res, { status: 599, body: { id: 'test_server', message: String(error) } }),
      );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    origin: `https://127.0.0.1:${port}`,
    caPem: pki.ca.certPem,
    requests,
    script: (...replies) => queue.push(...replies),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
