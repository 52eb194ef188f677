import { X509Certificate } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createCertificateAuthority, issueServerCertificate } from '../../emulator/tls.js';
import { ApiError, createHttps, toApiError } from '../../lib/do/index.js';
import { closeFixtures, track } from '../support/do-fixtures.js';
import { startHttpsServer } from '../support/https-server.js';
import { createScaledClock, fixedRandom } from '../support/scaled-clock.js';

const basics = { clock: createScaledClock(), random: fixedRandom() };

describe('emulator certificates', () => {
  afterEach(closeFixtures);

  it('makes a CA and signs server certificates for the names and loopback addresses asked for', async () => {
    const ca = await createCertificateAuthority({ commonName: 'emulator CA' });
    const server = await issueServerCertificate(ca, {
      hosts: ['localhost', '127.0.0.1', '127.0.0.2', '::1'],
    });
    const caCert = new X509Certificate(ca.certPem);
    const cert = new X509Certificate(server.certPem);
    expect(caCert.ca).toBe(true);
    expect(caCert.subject).toBe('CN=emulator CA');
    expect(cert.ca).toBe(false);
    expect(cert.checkIssued(caCert)).toBe(true);
    expect(cert.verify(caCert.publicKey)).toBe(true);
    expect(cert.subjectAltName).toBe(
      'DNS:localhost, IP Address:127.0.0.1, IP Address:127.0.0.2, IP Address:0:0:0:0:0:0:0:1',
    );
    expect(server.keyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(ca.keyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
  });

  it('serves HTTPS that a client trusting only that CA accepts', async () => {
    const ca = await createCertificateAuthority();
    const server = track(
      await startHttpsServer({
        pki: { ca, server: await issueServerCertificate(ca) },
        handler: () => ({ status: 200, body: 'ok' }),
      }),
    );
    const https = track(createHttps({ ...basics, caPem: ca.certPem }));
    expect(await (await https.request(`${server.origin}/`)).text()).toBe('ok');
  });

  it('yields a certificate the client rejects for an address it does not name', async () => {
    const ca = await createCertificateAuthority();
    const server = track(
      await startHttpsServer({
        pki: { ca, server: await issueServerCertificate(ca, { hosts: ['localhost'] }) },
      }),
    );
    const https = track(createHttps({ ...basics, caPem: ca.certPem }));
    const error = await https
      .request(`${server.origin}/`)
      .catch((e: unknown) => toApiError(e, { action: 'check' }));
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 0, reason: 'tls' });
    expect(server.requests).toHaveLength(0);
  });
});
