import { lookup } from 'node:dns';
import type { IncomingHttpHeaders } from 'node:http';
import { request } from 'node:https';
import { Readable } from 'node:stream';
import { rootCertificates } from 'node:tls';
import type { HttpEngine } from './engine.js';

const nullBodyStatuses = new Set([204, 205, 304]);

function headersOf(raw: IncomingHttpHeaders): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) headers.append(name, item);
  }
  return headers;
}

function bodyOf(body: RequestInit['body']): string | Uint8Array | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string' || body instanceof Uint8Array) return body;
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  throw new TypeError('a pinned request takes a string or bytes as its body');
}

/**
 * An engine that opens every connection to `address` (a host name, resolved by the system, or an
 * IP address) whatever host the URL names, while TLS (server name and certificate check) and the
 * Host header keep the URL's host: what a client does after DNS sent it to `address`, without
 * asking DNS. Node's own https client, so it runs where the undici package is not bundled (the
 * functions); connections are not pooled.
 */
export function pinnedEngine(address: string, extraCaPems: readonly string[]): HttpEngine {
  const ca = extraCaPems.length > 0 ? [...rootCertificates, ...extraCaPems] : undefined;
  return {
    fetch: (url, init) =>
      new Promise<Response>((resolve, reject) => {
        const req = request(
          url,
          {
            method: init.method ?? 'GET',
            headers: Object.fromEntries(new Headers(init.headers).entries()),
            agent: false,
            lookup: (_host, options, done) => lookup(address, options, done),
            ...(ca ? { ca } : {}),
            ...(init.signal ? { signal: init.signal } : {}),
          },
          (res) => {
            // Streamed, not gathered here: the transport reads it under its size cap and timer.
            const status = res.statusCode ?? 502;
            const body = nullBodyStatuses.has(status)
              ? null
              : (Readable.toWeb(res) as unknown as ReadableStream<Uint8Array>);
            if (!body) res.resume();
            resolve(
              new Response(body, {
                status,
                statusText: res.statusMessage ?? '',
                headers: headersOf(res.headers),
              }),
            );
          },
        );
        req.on('error', reject);
        req.end(bodyOf(init.body));
      }),
    close: async () => undefined,
  };
}
