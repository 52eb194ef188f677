/**
 * Certificates for the local DigitalOcean: a throwaway CA and server certificates it signs, so the
 * emulator serves real HTTPS on loopback and clients trust it only through the CA we hand them
 * (DIGITALOCEAN_CA_FILE or NODE_EXTRA_CA_CERTS), never by disabling verification.
 */
import { webcrypto } from 'node:crypto';
import { isIP } from 'node:net';
import { createSecureContext, type SecureContext } from 'node:tls';
import type * as X509 from '@peculiar/x509';

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

const crypto = webcrypto;
const keyAlgorithm: webcrypto.EcKeyGenParams & webcrypto.EcdsaParams = {
  name: 'ECDSA',
  namedCurve: 'P-256',
  hash: 'SHA-256',
};
const dayMs = 24 * 60 * 60 * 1000;

type MetadataReflect = typeof Reflect & {
  getMetadata?: (key: unknown, target: object) => unknown;
  getOwnMetadata?: (key: unknown, target: object) => unknown;
  defineMetadata?: (key: unknown, value: unknown, target: object) => void;
};

/**
 * @peculiar/x509 pulls in tsyringe, which refuses to load without a Reflect metadata polyfill and
 * only stores and reads decorator metadata. We have no `reflect-metadata` package, so a WeakMap-backed
 * stand-in is installed (only when none exists) before the library is loaded.
 */
function installReflectMetadata(): void {
  const reflect = Reflect as MetadataReflect;
  if (reflect.getMetadata) return;
  const store = new WeakMap<object, Map<unknown, unknown>>();
  const own = (key: unknown, target: object) => store.get(target)?.get(key);
  reflect.getOwnMetadata = own;
  reflect.getMetadata = (key, target) => {
    for (let t: object | null = target; t; t = Object.getPrototypeOf(t)) {
      const value = own(key, t);
      if (value !== undefined) return value;
    }
    return undefined;
  };
  reflect.defineMetadata = (key, value, target) => {
    const entries = store.get(target) ?? new Map<unknown, unknown>();
    entries.set(key, value);
    store.set(target, entries);
  };
}

let x509Module: Promise<typeof X509> | undefined;

function loadX509(): Promise<typeof X509> {
  installReflectMetadata();
  x509Module ??= import('@peculiar/x509');
  return x509Module;
}

export interface PemPair {
  certPem: string;
  keyPem: string;
}

export interface CertificateAuthority extends PemPair {
  /** Kept so the CA can sign server certificates without re-importing its PEM key. */
  readonly keys: CryptoKeyPair;
  readonly certificate: X509.X509Certificate;
}

export interface CertificateAuthorityOptions {
  commonName?: string;
  validDays?: number;
  /** Start of validity; defaults to now. Backdated by a day so small clock skews do not matter. */
  now?: Date;
}

export interface ServerCertificateOptions {
  /** DNS names and IP addresses (v4 or v6) the certificate is valid for; the first is the subject. */
  hosts?: readonly string[];
  validDays?: number;
  now?: Date;
}

export const defaultServerHosts: readonly string[] = ['localhost', '127.0.0.1', '::1'];

async function generateKeys(): Promise<CryptoKeyPair> {
  return crypto.subtle.generateKey(keyAlgorithm, true, ['sign', 'verify']);
}

async function privateKeyPem(x509: typeof X509, key: CryptoKey): Promise<string> {
  const der = await crypto.subtle.exportKey('pkcs8', key);
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

function validity(now: Date | undefined, validDays: number): { notBefore: Date; notAfter: Date } {
  const start = (now ?? new Date()).getTime();
  return { notBefore: new Date(start - dayMs), notAfter: new Date(start + validDays * dayMs) };
}

/** Escapes characters that would change the meaning of a distinguished name. */
function dnValue(value: string): string {
  return value.replace(/[,+"\\<>;=]/g, (c) => `\\${c}`);
}

export async function createCertificateAuthority(
  options: CertificateAuthorityOptions = {},
): Promise<CertificateAuthority> {
  const x509 = await loadX509();
  const keys = await generateKeys();
  const name = `CN=${dnValue(options.commonName ?? 'base2-do local CA')}`;
  const certificate = await x509.X509CertificateGenerator.createSelfSigned(
    {
      name,
      keys,
      signingAlgorithm: keyAlgorithm,
      ...validity(options.now, options.validDays ?? 30),
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, crypto),
      ],
    },
    crypto,
  );
  return {
    certPem: certificate.toString('pem'),
    keyPem: await privateKeyPem(x509, keys.privateKey),
    keys,
    certificate,
  };
}

function subjectAltNames(hosts: readonly string[]): X509.JsonGeneralNames {
  return hosts.map((host) => ({ type: isIP(host) ? 'ip' : 'dns', value: host }));
}

/** Issues a certificate for `hosts`, signed by `ca`; pass every loopback address the server binds. */
export async function issueServerCertificate(
  ca: CertificateAuthority,
  options: ServerCertificateOptions = {},
): Promise<PemPair> {
  const x509 = await loadX509();
  const hosts = options.hosts?.length ? options.hosts : defaultServerHosts;
  const keys = await generateKeys();
  const certificate = await x509.X509CertificateGenerator.create(
    {
      subject: `CN=${dnValue(hosts[0] ?? 'localhost')}`,
      issuer: ca.certificate.subject,
      publicKey: keys.publicKey,
      signingKey: ca.keys.privateKey,
      signingAlgorithm: keyAlgorithm,
      ...validity(options.now, options.validDays ?? 30),
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth], false),
        new x509.SubjectAlternativeNameExtension(subjectAltNames(hosts), false),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, crypto),
        await x509.AuthorityKeyIdentifierExtension.create(ca.certificate, false, crypto),
      ],
    },
    crypto,
  );
  return { certPem: certificate.toString('pem'), keyPem: await privateKeyPem(x509, keys.privateKey) };
}

/**
 * Certificates issued on demand per host name (TLS SNI), signed by `ca` and kept for the run: App
 * Platform serves each app's default ingress and each active custom domain with a certificate of
 * its own, which the emulator stands in for on its single loopback port.
 */
export class HostCertificates {
  private readonly issued = new Map<string, Promise<SecureContext>>();

  constructor(private readonly ca: CertificateAuthority) {}

  contextFor(host: string): Promise<SecureContext> {
    const name = host.toLowerCase();
    let context = this.issued.get(name);
    if (!context) {
      context = issueServerCertificate(this.ca, { hosts: [name] }).then((pair) =>
        createSecureContext({ cert: pair.certPem, key: pair.keyPem }),
      );
      // A failed issue is not kept: the next handshake tries again.
      context.catch(() => this.issued.delete(name));
      this.issued.set(name, context);
    }
    return context;
  }
}
