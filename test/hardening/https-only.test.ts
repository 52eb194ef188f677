/**
 * HTTPS only: pointed at the emulator's port with http://, every operation is refused before a byte
 * is sent. The emulator counts plain-HTTP connections to its TLS port (`_counters.plaintext_attempts`);
 * a deliberate plain request first shows the counter works, then every refusal leaves it at 0 and the
 * request log empty. The seams below the operations (the DigitalOcean client, the HTTPS client for
 * live URLs) refuse http:// URLs too. (The droplet health probe is plain HTTP by design: it goes to
 * the droplet itself, never to DigitalOcean, and carries no header of ours.)
 */
import { request } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../lib/clock.js';
import { createDoClient, createHttps } from '../../lib/do/index.js';
import { ConfigError } from '../../lib/errors.js';
import { type Harness, startHarness } from './harness.js';
import { ENTRIES, operationOf } from './operations.js';
import { Tally } from './tally.js';

const tally = new Tally(import.meta.filename);
let h: Harness;

async function plaintextAttempts(): Promise<number> {
  const state = (await h.t.admin('GET', '/_emulator/state')) as { _counters: { plaintext_attempts: number } };
  return state._counters.plaintext_attempts;
}

/** The emulator's API URL with the scheme swapped, and variants a careless check could let through. */
function plainUrls(): string[] {
  const hostPort = h.t.emu.apiUrl.replace(/^https:\/\//, '');
  return [
    `http://${hostPort}`,
    `HTTP://${hostPort}`,
    ` http://${hostPort} `,
    `http://${hostPort}/v2`,
    `ws://${hostPort}`,
  ];
}

beforeAll(async () => {
  h = await startHarness();
});
beforeEach(async () => {
  await h.reset();
});
afterAll(async () => {
  await h?.stop();
  tally.publish();
});

describe('no request leaves over plain HTTP', () => {
  it('the emulator counts a plain-HTTP connection to its TLS port (the counter works)', async () => {
    const url = new URL(h.t.emu.apiUrl);
    await new Promise<void>((resolve) => {
      const req = request({ host: url.hostname, port: url.port, path: '/v2/account', method: 'GET' });
      req.on('error', () => resolve());
      req.on('response', (res) => {
        res.resume();
        res.on('end', () => resolve());
      });
      req.end();
    });
    expect(await plaintextAttempts()).toBe(1);
  });

  it('every operation refuses an http:// API URL before sending anything', async () => {
    for (const entry of ENTRIES) {
      for (const apiUrl of plainUrls()) {
        await tally.check('https', async () => {
          const attempt = await h.run(operationOf(entry), entry.valid, {
            env: { DIGITALOCEAN_API_URL: apiUrl },
          });
          expect(attempt.error, `${entry.name} with ${apiUrl}`).toBeInstanceOf(ConfigError);
          const problems = (attempt.error as ConfigError).problems;
          expect(problems.map((p) => p.path)).toContain('DIGITALOCEAN_API_URL');
        });
      }
    }
    expect(await plaintextAttempts()).toBe(0);
    expect(await h.requests()).toEqual([]);
  });

  it('the DigitalOcean client and the HTTPS client refuse http:// themselves', async () => {
    const [plain] = plainUrls();
    await tally.check('https', () => {
      expect(() =>
        createDoClient({ token: h.t.emu.token, apiUrl: plain!, clock: systemClock, random: Math.random }),
      ).toThrow(ConfigError);
    });
    const https = createHttps({ clock: systemClock, random: Math.random, caPem: h.t.emu.caPem });
    try {
      for (const url of [`${plain}/v2/account`, `${plain}/_emulator/live/x/`]) {
        await tally.check('https', () => expect(https.request(url)).rejects.toBeInstanceOf(ConfigError));
      }
    } finally {
      await https.close();
    }
    expect(await plaintextAttempts()).toBe(0);
    expect(await h.requests()).toEqual([]);
  });
});
