import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiError, createDoClient, createHttps, toApiError } from '../../lib/do/index.js';
import { ConfigError } from '../../lib/errors.js';
import { closeFixtures, doFixture, plantedToken, track } from '../support/do-fixtures.js';
import { createTestPki, notFound, startHttpsServer, testPki } from '../support/https-server.js';
import { createScaledClock, fixedRandom } from '../support/scaled-clock.js';

const account = {
  account: {
    email: 'ops@example.com',
    uuid: 'u-1',
    status: 'active',
    droplet_limit: 25,
    email_verified: true,
  },
};

async function plainHttpServer(): Promise<{ url: string; connections: () => number }> {
  let connections = 0;
  const server = createServer((_req, res) => res.end('{}'));
  server.on('connection', () => {
    connections += 1;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  track({ close: () => new Promise<void>((resolve) => server.close(() => resolve())) });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    connections: () => connections,
  };
}

/** Asynchronous, because the server answering the child lives in this process. */
function runNode(args: string[], env: NodeJS.ProcessEnv): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', () => resolve({ stdout, stderr }));
  });
}

const clientBasics = { clock: createScaledClock(), random: fixedRandom() };

describe('the DigitalOcean client', () => {
  afterEach(closeFixtures);

  it('reads the account through dots over HTTPS, trusting the extra CA', async () => {
    const { api, server } = await doFixture({
      handler: (r) => (r.path === '/v2/account' ? { status: 200, body: account } : notFound),
    });
    const result = await api.client.v2.account.get();
    expect(result?.account?.email).toBe('ops@example.com');
    expect(server.requests[0]?.headers.authorization).toBe(`Bearer ${plantedToken}`);
    expect(api.calls.summary()).toEqual({
      total: 1,
      mutating: 0,
      byMethod: { GET: 1 },
      retries: 0,
      rateLimited: 0,
    });
    expect(api.baseUrl).toBe(server.origin);
  });

  it('refuses an http:// API URL before anything is sent', async () => {
    const plain = await plainHttpServer();
    const create = () => createDoClient({ token: plantedToken, apiUrl: plain.url, ...clientBasics });
    expect(create).toThrow(ConfigError);
    expect(create).toThrow(/DIGITALOCEAN_API_URL: https is required/);
    const https = track(createHttps(clientBasics));
    await expect(https.request(`${plain.url}/v2/account`)).rejects.toThrow(/https is required/);
    expect(plain.connections()).toBe(0);
    expect(https.calls.entries()).toHaveLength(0);
  });

  it('refuses a server whose certificate comes from a CA it was not told to trust', async () => {
    const stranger = track(await startHttpsServer({ pki: await createTestPki('some other CA') }));
    const api = track(
      createDoClient({
        token: plantedToken,
        apiUrl: stranger.origin,
        caPem: (await testPki()).ca.certPem,
        ...clientBasics,
        // At this clock's speed a loaded machine's first handshake can pass the 30 s default.
        requestTimeoutMs: 600_000,
      }),
    );
    const failure = await api.client.v2.account
      .get()
      .catch((e: unknown) => toApiError(e, { action: 'read account' }));
    expect(failure).toBeInstanceOf(ApiError);
    expect(failure).toMatchObject({ status: 0, reason: 'tls', ambiguous: false });
    expect((failure as ApiError).describe()).toMatch(/certificate.*DIGITALOCEAN_CA_FILE/);
    expect(stranger.requests).toHaveLength(0);
    expect(api.calls.entries()).toHaveLength(1);
  });

  it('keeps trusting NODE_EXTRA_CA_CERTS when a CA file is also configured', async () => {
    const other = await createTestPki('extra CA from the environment');
    const server = track(
      await startHttpsServer({ pki: other, handler: () => ({ status: 200, body: account }) }),
    );
    const file = join(mkdtempSync(join(tmpdir(), 'base2-ca-')), 'extra.pem');
    writeFileSync(file, other.ca.certPem);
    const before = process.env.NODE_EXTRA_CA_CERTS;
    process.env.NODE_EXTRA_CA_CERTS = file;
    try {
      const https = track(createHttps({ ...clientBasics, caPem: (await testPki()).ca.certPem }));
      const response = await https.request(`${server.origin}/v2/account`);
      expect(response.status).toBe(200);
    } finally {
      if (before === undefined) delete process.env.NODE_EXTRA_CA_CERTS;
      else process.env.NODE_EXTRA_CA_CERTS = before;
    }
  });

  it('trusts NODE_EXTRA_CA_CERTS alone, as Node does, when no CA file is configured', async () => {
    const server = track(await startHttpsServer({ handler: () => ({ status: 200, body: account }) }));
    const file = join(mkdtempSync(join(tmpdir(), 'base2-ca-')), 'ca.pem');
    writeFileSync(file, server.caPem);
    const lib = (path: string) =>
      JSON.stringify(fileURLToPath(new URL(`../../lib/${path}`, import.meta.url)));
    const script = `
      import { createHttps } from ${lib('do/index.ts')};
      import { systemClock } from ${lib('clock.ts')};
      const https = createHttps({ clock: systemClock, random: Math.random });
      const response = await https.request(${JSON.stringify(`${server.origin}/v2/account`)});
      console.log(response.status);
      await https.close();`;
    // Node reads NODE_EXTRA_CA_CERTS only at startup, hence a child process.
    const child = await runNode(['--import', 'tsx', '--input-type=module', '-e', script], {
      ...process.env,
      NODE_EXTRA_CA_CERTS: file,
    });
    expect(child.stderr).toBe('');
    expect(child.stdout.trim()).toBe('200');
  });

  it('sends no DigitalOcean token on plain HTTPS requests and counts them apart', async () => {
    const { api, server } = await doFixture({ handler: () => ({ status: 200, body: 'live' }) });
    const response = await api.https.request(`${server.origin}/health`);
    expect(await response.text()).toBe('live');
    expect(server.requests[0]?.headers.authorization).toBeUndefined();
    expect(api.https.calls.summary().total).toBe(1);
    expect(api.calls.summary().total).toBe(0);
  });
});
