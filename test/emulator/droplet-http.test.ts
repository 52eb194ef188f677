import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REALISTIC_TIMING } from '../../emulator/timing.js';
import {
  allocatedAddress,
  type DropletTestEmulator,
  dropletWithKey,
  startDropletEmulator,
} from './fixtures/droplet-emulator.js';

const BOOT_MS = 600_000;
const USER_DATA = '#cloud-config\nruncmd:\n  - [sh, -c, "docker run -d -p 8080:8080 base2"]\n';
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** A plain HTTP GET; resolves with the status and body, rejects when the connection fails. */
function get(
  host: string,
  port: number,
  path: string,
): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host, port, path, timeout: 3_000 }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'] ?? '', body }),
      );
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end();
  });
}

describe('droplet HTTP status page', () => {
  let t: DropletTestEmulator;

  beforeAll(async () => {
    t = await startDropletEmulator({ checkSpec: false, timing: { dropletBootMs: BOOT_MS } });
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('serves its name, id and the SHA-256 of its user_data on / and /healthz', async () => {
    const { id, ip } = await dropletWithKey(t, 'web-1', { bootMs: BOOT_MS, userData: USER_DATA });
    const health = await get(ip!, t.emu.httpPort, '/healthz');
    expect(health.status).toBe(200);
    expect(health.type).toMatch(/^application\/json/);
    expect(JSON.parse(health.body)).toEqual({
      status: 'ok',
      id,
      name: 'web-1',
      user_data_sha256: sha256(USER_DATA),
    });

    const page = await get(ip!, t.emu.httpPort, '/');
    expect(page.status).toBe(200);
    expect(page.type).toMatch(/^text\/html/);
    expect(page.body).toContain('web-1');
    expect(page.body).toContain(sha256(USER_DATA));
    expect((await get(ip!, t.emu.httpPort, '/elsewhere')).status).toBe(404);
  });

  it('reports no digest for a droplet created without user_data, and follows a rename', async () => {
    const { id, ip } = await dropletWithKey(t, 'plain', { bootMs: BOOT_MS });
    expect(JSON.parse((await get(ip!, t.emu.httpPort, '/healthz')).body).user_data_sha256).toBeNull();
    await t.dots.v2.droplets.byDroplet_id(id).actions.post({ type: 'rename', name: 'renamed' });
    await t.advance(REALISTIC_TIMING.actionMs);
    expect(JSON.parse((await get(ip!, t.emu.httpPort, '/healthz')).body).name).toBe('renamed');
  });

  it('does not answer before the droplet is active, while it is off, or after it is deleted', async () => {
    const { id } = await dropletWithKey(t, 'later', { userData: USER_DATA });
    const ip = await allocatedAddress(t, id);
    await expect(get(ip, t.emu.httpPort, '/healthz')).rejects.toThrow();

    await t.advance(BOOT_MS);
    expect((await get(ip, t.emu.httpPort, '/healthz')).status).toBe(200);

    await t.dots.v2.droplets.byDroplet_id(id).actions.post({ type: 'power_off' });
    await t.advance(REALISTIC_TIMING.actionMs);
    await expect(get(ip, t.emu.httpPort, '/healthz')).rejects.toThrow();

    await t.dots.v2.droplets.byDroplet_id(id).actions.post({ type: 'power_on' });
    await t.advance(REALISTIC_TIMING.actionMs);
    expect((await get(ip, t.emu.httpPort, '/')).status).toBe(200);

    // The machine stops at the DELETE, while the API still lists it; its address goes once it is gone.
    await t.dots.v2.droplets.byDroplet_id(id).delete();
    await expect(get(ip, t.emu.httpPort, '/healthz')).rejects.toThrow();
    await t.advance(REALISTIC_TIMING.dropletDeleteMs);
    await t.dots.v2.droplets.get();
    await expect(get(ip, t.emu.httpPort, '/healthz')).rejects.toThrow(/ECONNREFUSED/);
  });
});

describe('droplet HTTP on a single shared address', () => {
  let t: DropletTestEmulator;

  beforeAll(async () => {
    t = await startDropletEmulator({
      checkSpec: false,
      singleAddress: true,
      timing: { dropletBootMs: BOOT_MS },
    });
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('answers for the newest active droplet', async () => {
    await dropletWithKey(t, 'older', { bootMs: BOOT_MS, userData: 'a' });
    const newer = await dropletWithKey(t, 'newer', { bootMs: BOOT_MS, userData: 'b' });
    expect(newer.ip).toBe('127.0.0.1');
    const health = JSON.parse((await get('127.0.0.1', t.emu.httpPort, '/healthz')).body);
    expect(health).toMatchObject({ id: newer.id, name: 'newer', user_data_sha256: sha256('b') });
  });
});
