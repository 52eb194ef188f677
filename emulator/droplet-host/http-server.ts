import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { HostView } from './types.js';

export function userDataSha256(userData: string | undefined): string | null {
  return userData === undefined ? null : createHash('sha256').update(userData, 'utf8').digest('hex');
}

/**
 * The HTTP side of droplet hosts, standing in for the service a droplet's cloud-init starts:
 * `GET /` is a small status page and `GET /healthz` the same facts as JSON, both naming the droplet
 * and the SHA-256 of its user_data so a caller can tell which configuration it booted with.
 */
export function createStatusServer(candidates: () => HostView[]): Server {
  return createServer((req, res) => {
    const view = candidates()
      .filter((v) => v.serving)
      .sort((a, b) => b.createdAt - a.createdAt)[0];
    if (!view) {
      req.socket.destroy();
      return;
    }
    const path = new URL(req.url ?? '/', 'http://droplet').pathname;
    const facts = {
      status: 'ok',
      id: view.id,
      name: view.name,
      user_data_sha256: userDataSha256(view.userData),
    };
    const send = (status: number, type: string, body: string) => {
      res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return send(405, 'application/json', JSON.stringify({ status: 'method not allowed' }));
    }
    if (path === '/healthz') return send(200, 'application/json', JSON.stringify(facts));
    if (path === '/') return send(200, 'text/html; charset=utf-8', statusPage(facts));
    return send(404, 'application/json', JSON.stringify({ status: 'not found' }));
  });
}

function statusPage(facts: { id: number; name: string; user_data_sha256: string | null }): string {
  const html = (text: string) => text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  return [
    '<!doctype html>',
    `<html><head><meta charset="utf-8"><title>${html(facts.name)}</title></head><body>`,
    `<h1>${html(facts.name)}</h1>`,
    '<dl>',
    `<dt>droplet id</dt><dd id="droplet-id">${facts.id}</dd>`,
    `<dt>user_data_sha256</dt><dd id="user-data-sha256">${facts.user_data_sha256 ?? 'none'}</dd>`,
    '</dl>',
    '</body></html>',
    '',
  ].join('\n');
}
