/**
 * The one plain-HTTP request the tool makes: to a droplet's health URL, as a load balancer would.
 * It goes straight to the droplet with node:http (the DigitalOcean transport refuses http) and
 * carries no header of ours, so no token can travel with it.
 */
import { request } from 'node:http';

/** No answer at all within the time allowed: what a firewall that drops traffic looks like. */
export class NoAnswer extends Error {
  override readonly name = 'NoAnswer';
}

export interface HealthAnswer {
  status: number;
  body: string;
}

/** Bodies beyond this are cut: a health page is small. */
const MAX_BODY_BYTES = 64 * 1024;

export function healthUrl(ipv4: string, port: number, path: string): string {
  return `http://${ipv4}:${port}${path}`;
}

/** GETs `url`, rejecting on no answer within `timeoutMs` (or when `signal` aborts). */
export function probeHealth(url: string, timeoutMs: number, signal?: AbortSignal): Promise<HealthAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: 'GET',
      agent: false,
      timeout: timeoutMs,
      ...(signal ? { signal } : {}),
    });
    req.on('timeout', () => req.destroy(new NoAnswer(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        if (size < MAX_BODY_BYTES) chunks.push(chunk);
        size += chunk.length;
      });
      res.on('error', reject);
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          body: Buffer.concat(chunks).toString('utf8').slice(0, MAX_BODY_BYTES),
        }),
      );
    });
    req.end();
  });
}

/**
 * The droplet said nothing, not even a refusal: its traffic is dropped (a cloud firewall, or a
 * host firewall before the container publishes the port) or it is unreachable. A refused or reset
 * connection, by contrast, comes from a machine that is up with nothing listening yet.
 */
export function isSilence(error: unknown): boolean {
  return error instanceof NoAnswer || (error as { code?: unknown }).code === 'ETIMEDOUT';
}

/** Why a probe failed, in a few words (ECONNREFUSED, a timeout, …). */
export function probeFailure(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  return typeof code === 'string' && !message.includes(code) ? `${code}: ${message}` : message;
}
