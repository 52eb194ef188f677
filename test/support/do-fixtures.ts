/**
 * A dots client wired to a local HTTPS server, the way operations get theirs, with everything
 * opened here closed by `closeFixtures()` (call it in afterEach).
 */
import { createDoClient, type DoApi, type DoClientOptions } from '../../lib/do/index.js';
import { type Handler, startHttpsServer, type TestServer } from './https-server.js';
import { createScaledClock, fixedRandom, type TestClock } from './scaled-clock.js';

/** Planted in every test client so tests can prove it never reaches an error or a log. */
export const plantedToken = `dop_v1_${'5ec7e7'.repeat(10)}abcd`;

export interface DoFixture {
  server: TestServer;
  api: DoApi;
  clock: TestClock;
}

const open: Array<{ close(): Promise<void> }> = [];

export function track<T extends { close(): Promise<void> }>(closable: T): T {
  open.push(closable);
  return closable;
}

export async function closeFixtures(): Promise<void> {
  await Promise.all(open.splice(0).map((c) => c.close()));
}

export interface DoFixtureOptions {
  handler?: Handler;
  /** Test-clock speed; 100 turns a 2 s retry-after into 20 ms. */
  scale?: number;
  client?: Partial<DoClientOptions>;
}

export async function doFixture(options: DoFixtureOptions = {}): Promise<DoFixture> {
  const clock = createScaledClock(options.scale ?? 100);
  const server = track(
    await startHttpsServer({ clock, ...(options.handler ? { handler: options.handler } : {}) }),
  );
  const api = track(
    createDoClient({
      token: plantedToken,
      apiUrl: server.origin,
      caPem: server.caPem,
      clock,
      random: fixedRandom(),
      // Scaled time makes real latency look long: a cold TLS connection can take "20 s". Tests of
      // timeouts set their own.
      requestTimeoutMs: 600_000,
      ...options.client,
    }),
  );
  return { server, api, clock };
}

export interface DropletJson {
  id: number;
  name: string;
  tags: string[];
  status: string;
  [key: string]: unknown;
}

/** A droplet as DigitalOcean lists it, trimmed to what the tests read (and non-empty arrays). */
export function dropletJson(id: number, name: string, tags: string[] = ['base2-staging']): DropletJson {
  return {
    id,
    name,
    memory: 1024,
    vcpus: 1,
    disk: 25,
    locked: false,
    status: 'active',
    created_at: '2026-01-01T00:00:00Z',
    features: ['monitoring', 'ipv6'],
    volume_ids: [],
    tags,
    region: {
      slug: 'nyc3',
      name: 'New York 3',
      features: ['backups'],
      sizes: ['s-1vcpu-1gb'],
      available: true,
    },
    networks: {
      v4: [
        { ip_address: `10.0.0.${id % 250}`, netmask: '255.255.255.0', gateway: '10.0.0.1', type: 'public' },
      ],
    },
  };
}
