/**
 * Absurd numbers and sizes sent straight to the emulator's API (1e300, negatives, fractions where
 * DigitalOcean wants whole numbers, megabyte strings): each is refused in DigitalOcean's error shape
 * and changes nothing, where DigitalOcean refuses it too (docs/fidelity.md says which refusals are
 * documented and which are guesses).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEmulator, type TestEmulator } from '../support/emulator.js';
import { Tally } from './tally.js';

const tally = new Tally(import.meta.filename);
let t: TestEmulator;
const ZONE = 'absurd.example.com';
const MB = 'x'.repeat(1024 * 1024);

beforeAll(async () => {
  t = await startTestEmulator();
  await t.dots.v2.domains.post({ name: ZONE });
});
afterAll(async () => {
  await t?.stop();
  tally.publish();
});

async function call(method: string, path: string, body: unknown): Promise<{ status: number; json: unknown }> {
  const response = await t.fetch(`${t.emu.apiUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${t.emu.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : undefined };
}

const app = (component: Record<string, unknown>) => ({
  spec: {
    name: 'absurd',
    region: 'nyc',
    services: [
      {
        name: 'web',
        image: { registry_type: 'DOCR', repository: 'base2', tag: 'v1' },
        instance_size_slug: 'apps-s-1vcpu-0.5gb',
        ...component,
      },
    ],
  },
});

const CASES: Array<{ what: string; method: string; path: string; body: unknown; list: string }> = [
  ...[1e300, -1, 1.5, 2 ** 31].map((ttl) => ({
    what: `a record TTL of ${ttl}`,
    method: 'POST',
    path: `/v2/domains/${ZONE}/records`,
    body: { type: 'A', name: 'www', data: '192.0.2.1', ttl },
    list: `/v2/domains/${ZONE}/records`,
  })),
  ...[1e300, -1, 1.5, 0].map((count) => ({
    what: `an app instance_count of ${count}`,
    method: 'POST',
    path: '/v2/apps',
    body: app({ instance_count: count }),
    list: '/v2/apps',
  })),
  ...[1e300, -1, 1.5, 70_000].map((port) => ({
    what: `an app http_port of ${port}`,
    method: 'POST',
    path: '/v2/apps',
    body: app({ http_port: port }),
    list: '/v2/apps',
  })),
  ...[1e300, '1e300', -1, 'x'.repeat(300)].map((size) => ({
    what: `a droplet size of ${String(size).slice(0, 12)}`,
    method: 'POST',
    path: '/v2/droplets',
    body: { name: 'absurd-1', region: 'nyc3', size, image: 'debian-12-x64' },
    list: '/v2/droplets',
  })),
  {
    what: 'a 1 MB droplet name',
    method: 'POST',
    path: '/v2/droplets',
    body: { name: MB, region: 'nyc3', size: 's-1vcpu-1gb', image: 'debian-12-x64' },
    list: '/v2/droplets',
  },
  {
    what: 'a 1 MB user_data',
    method: 'POST',
    path: '/v2/droplets',
    body: { name: 'absurd-1', region: 'nyc3', size: 's-1vcpu-1gb', image: 'debian-12-x64', user_data: MB },
    list: '/v2/droplets',
  },
  { what: 'a 1 MB tag name', method: 'POST', path: '/v2/tags', body: { name: MB }, list: '/v2/tags' },
  {
    what: 'a 1 MB SSH key name',
    method: 'POST',
    path: '/v2/account/keys',
    body: {
      name: MB,
      public_key: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJeX1kgymIaelKiSqc7R9gXuaWcWSLoQsfOiFyHXIcgV x',
    },
    list: '/v2/account/keys',
  },
  // "0" is not among them: it means every port (spec:firewalls_create).
  ...['1-1e300', '-1', '70000', '1.5', '65536-70000'].map((ports) => ({
    what: `firewall ports "${ports}"`,
    method: 'POST',
    path: '/v2/firewalls',
    body: {
      name: 'absurd-fw',
      inbound_rules: [{ protocol: 'tcp', ports, sources: { addresses: ['0.0.0.0/0'] } }],
      outbound_rules: [],
    },
    list: '/v2/firewalls',
  })),
];

const countOf = async (path: string) => {
  const answer = await call('GET', `${path}?per_page=200`, undefined);
  const body = answer.json as { meta?: { total?: number } };
  return body.meta?.total ?? 0;
};

describe('absurd numbers and sizes at the emulator’s API', () => {
  it('are refused in DigitalOcean’s error shape and change nothing', async () => {
    const failed: string[] = [];
    for (const c of CASES) {
      await tally
        .check('bad_input', async () => {
          const before = await countOf(c.list);
          const answer = await call(c.method, c.path, c.body);
          const body = answer.json as { id?: string; message?: string; error?: string };
          const refused = answer.status >= 400 && answer.status < 500;
          const shaped = typeof (body?.message ?? body?.error) === 'string';
          if (!refused || !shaped)
            failed.push(`${c.what}: ${answer.status} ${JSON.stringify(answer.json).slice(0, 160)}`);
          expect(await countOf(c.list), c.what).toBe(before);
        })
        .catch((error: unknown) => failed.push(`${c.what}: ${String(error)}`));
    }
    expect(failed).toEqual([]);
  });
});
