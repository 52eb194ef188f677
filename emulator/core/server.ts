import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { Duplex } from 'node:stream';
import type { SecureContext } from 'node:tls';
import type { EmuClock } from './clock.js';
import type { Faults, HttpFaultRule } from './faults.js';
import { HttpError, notFound, serverError, tooManyRequests, unauthorized } from './http-error.js';
import type { RateLimiter } from './rate-limit.js';
import type { RequestLog } from './request-log.js';
import type { Router } from './router.js';
import type { EmuRequest, EmuResponse } from './types.js';

export type UpgradeHandler = (
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  params: Record<string, string>,
) => void;

export interface ApiServerOptions {
  cert: string;
  key: string;
  router: Router;
  upgrades: Router;
  clock: EmuClock;
  faults: Faults;
  limiter: RateLimiter;
  log: RequestLog;
  tokens: Set<string>;
  latencyMs: () => number;
  /** Counts requests that arrived as plain HTTP on the HTTPS port (they are refused). */
  onPlaintext: () => void;
  /** Sees every answered API request with the route pattern it matched (for spec conformance). */
  onResponse?: (record: ResponseRecord) => void;
  /** Picks the certificate for a TLS server name (SNI); none means the loopback certificate. */
  certificateFor?: (servername: string) => Promise<SecureContext | undefined>;
}

export interface ResponseRecord {
  method: string;
  path: string;
  /** The route pattern, e.g. `/v2/droplets/:droplet_id`. */
  route: string | undefined;
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

const MAX_BODY = 2 * 1024 * 1024;
/**
 * A Functions namespace's OpenWhisk API takes a function's code in the body (up to 48 MB, base64
 * in JSON): it checks its own sizes (emulator/openwhisk/size-limits.ts).
 */
const MAX_OPENWHISK_BODY = 72 * 1024 * 1024;

/** The HTTPS front of the emulator: auth, rate limits, faults, latency, routing, request log. */
export function createApiServer(options: ApiServerOptions): Server {
  const { certificateFor } = options;
  const sni = certificateFor
    ? (servername: string, done: (error: Error | null, context?: SecureContext) => void) => {
        certificateFor(servername).then(
          (context) => done(null, context),
          (error: Error) => done(error),
        );
      }
    : undefined;
  const server = createServer(
    { cert: options.cert, key: options.key, ...(sni ? { SNICallback: sni } : {}) },
    (req, res) => {
      void handle(options, req, res);
    },
  );
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'https://emulator');
    const match = options.upgrades.match('GET', url.pathname);
    if (!match || match === 'method') {
      socket.end('HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    (match.handler as unknown as UpgradeHandler)(req, socket, head, match.params);
  });
  // A client speaking plain HTTP to the TLS port: count it (HTTPS-only is a tested guarantee).
  server.on('tlsClientError', (error: Error & { code?: string }, socket: Duplex) => {
    if (error.code === 'ERR_SSL_HTTP_REQUEST' || /http request/i.test(error.message)) options.onPlaintext();
    socket.destroy();
  });
  return server;
}

async function handle(o: ApiServerOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const started = performance.now();
  const requestId = randomUUID();
  const url = new URL(req.url ?? '/', 'https://emulator');
  const method = (req.method ?? 'GET').toUpperCase();
  const match = o.router.match(method, url.pathname);
  const internal = url.pathname.startsWith('/_emulator/');
  let headers: Record<string, string> = { 'x-request-id': requestId };
  let faultNote: string | undefined;
  let status = 500;

  const finish = (response: EmuResponse) => {
    status = response.status;
    // `date` from the virtual clock, like `ratelimit-reset`: clients correct clock skew with it.
    const all = { date: new Date(o.clock.now()).toUTCString(), ...headers, ...response.headers };
    if (!internal && o.onResponse && match && match !== 'method') {
      o.onResponse({
        method,
        path: url.pathname,
        route: match.pattern,
        status,
        headers: all,
        body: response.text ?? response.body,
      });
    }
    if (response.text !== undefined) {
      res.writeHead(status, { 'content-type': response.contentType ?? 'text/plain; charset=utf-8', ...all });
      res.end(response.text);
    } else if (response.body === undefined) {
      res.writeHead(status, all);
      res.end();
    } else {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...all });
      res.end(JSON.stringify(response.body));
    }
  };
  const drop = () => {
    faultNote = `${faultNote ?? 'fault'} (dropped)`;
    status = 0;
    req.socket.destroy();
  };

  try {
    const rawBody = await readBody(req, url.pathname.startsWith('/api/v1/') ? MAX_OPENWHISK_BODY : MAX_BODY);
    if (!match) throw notFound();
    if (match === 'method')
      throw new HttpError(405, 'method_not_allowed', `${method} is not allowed on ${url.pathname}`);
    let token: string | undefined;
    if (match.options.auth === 'bearer') {
      token = bearer(req.headers.authorization);
      if (!token || !o.tokens.has(token)) {
        headers = { ...headers, ...o.limiter.peek(token ?? '-', o.clock.now()) };
        throw unauthorized();
      }
      if (!internal) {
        const decision = o.limiter.take(token, o.clock.now());
        headers = { ...headers, ...decision.headers };
        if (!decision.allowed) throw tooManyRequests(decision.retryAfterSeconds);
      }
    }
    const fault = internal ? undefined : o.faults.matchHttp(method, url.pathname);
    if (fault) faultNote = fault.id;
    const latency =
      (internal ? 0 : o.latencyMs()) + (fault?.mode === 'latency' ? (fault.latency_ms ?? 0) : 0);
    if (latency > 0) await o.clock.sleep(latency);
    if (fault?.mode === 'error') throw faultError(fault);
    if (fault?.mode === 'drop') return drop();

    const request: EmuRequest = {
      method,
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      body: parseJson(rawBody, req.headers['content-type']),
      rawBody,
      params: match.params,
      requestId,
      token,
    };
    const response = await match.handler(request);
    if (fault?.mode === 'commit-then-drop') return drop();
    if (fault?.mode === 'commit-then-error') throw faultError(fault);
    finish(response);
  } catch (error) {
    const e = error instanceof HttpError ? error : internalError(error);
    headers = { ...headers, ...e.headers };
    finish({ status: e.status, body: { id: e.id, message: e.message, request_id: requestId } });
  } finally {
    if (!internal) {
      o.log.add({
        time: o.clock.iso(),
        method,
        path: url.pathname,
        query: url.search.slice(1),
        status,
        duration_ms: Math.round((performance.now() - started) * 10) / 10,
        request_id: requestId,
        ...(faultNote ? { fault: faultNote } : {}),
      });
    }
  }
}

function faultError(fault: HttpFaultRule): HttpError {
  const status = fault.status ?? 500;
  if (fault.body) return new HttpError(status, fault.body.id, fault.body.message);
  if (status === 429) return tooManyRequests(1);
  if (status >= 500)
    return new HttpError(status, 'server_error', 'Server was unable to give you a response.');
  return new HttpError(status, 'fault_injected', `Injected fault ${fault.id}.`);
}

function internalError(error: unknown): HttpError {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`emulator: internal error: ${error instanceof Error ? error.stack : message}\n`);
  return serverError(`Emulator internal error: ${message}`);
}

function bearer(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  return match?.[1];
}

async function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes)
      throw new HttpError(413, 'request_entity_too_large', 'The request body is too large.');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function parseJson(raw: Buffer, contentType: string | undefined): unknown {
  if (raw.length === 0) return undefined;
  if (contentType && !/json/i.test(contentType)) return raw.toString('utf8');
  try {
    // JSON.parse keeps the last of repeated keys, which is what DigitalOcean does with dots' bodies.
    return JSON.parse(raw.toString('utf8'));
  } catch {
    // The API reference's documented answer to a body it cannot parse.
    throw new HttpError(400, 'bad_request', 'error parsing request body');
  }
}
