import { createHash } from 'node:crypto';
import ssh2 from 'ssh2';
import { notFound, unprocessable } from '../core/http-error.js';
import { paginate } from '../core/paginate.js';
import type { EmulatorModule, EmuRequest } from '../core/types.js';

export interface SshKeyJson {
  id: number;
  fingerprint: string;
  public_key: string;
  name: string;
}

/** Set as `services.set('sshKeys', …)`: droplet create resolves `ssh_keys` entries through it. */
export interface SshKeysService {
  /** The registered key an id (number or digits) or an MD5 fingerprint names. */
  resolve(ref: string | number): SshKeyJson | undefined;
}

/**
 * DigitalOcean's three refusals of a public key, each seen in a client's bug report
 * (docs/fidelity.md, ssh-keys.invalid-key): no `type key` pair, a type it does not take, a key
 * blob it cannot fingerprint.
 */
const KEY_FORMAT = 'Key invalid, key should be of the format `type key [comment]`';
const KEY_TYPE =
  "Key invalid type, we support 'ssh-rsa', 'ssh-dss', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', or 'ssh-ed25519'";
const KEY_FINGERPRINT = 'Fingerprint could not be generated, please make sure your key is valid';

// Security-key types are newer than the list DigitalOcean's message names; they are accepted
// rather than refused on an old message's word.
const KEY_TYPES = new Set([
  'ssh-rsa',
  'ssh-dss',
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'sk-ssh-ed25519@openssh.com',
  'sk-ecdsa-sha2-nistp256@openssh.com',
]);

/** The MD5 fingerprint DigitalOcean shows (colon-separated hex of the key blob's digest). */
export function md5Fingerprint(blob: Buffer): string {
  return createHash('md5')
    .update(blob)
    .digest('hex')
    .replace(/(..)(?!$)/g, '$1:');
}

/** An OpenSSH public key line parsed (its blob must decode and match its type), or its refusal. */
function checkPublicKey(line: string): { type: string; blob: Buffer } | string {
  const text = line.trim();
  const [type, blob] = text.split(/\s+/);
  if (!type || !blob) return KEY_FORMAT;
  if (!KEY_TYPES.has(type)) return KEY_TYPE;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(blob) || text.includes('\n')) return KEY_FINGERPRINT;
  const parsed = ssh2.utils.parseKey(text);
  if (parsed instanceof Error || parsed.isPrivateKey() || parsed.type !== type) return KEY_FINGERPRINT;
  return { type: parsed.type, blob: parsed.getPublicSSH() };
}

/**
 * `/v2/account/keys`: a public key is registered once per account, whatever name it is given (the
 * tool's lock depends on that refusal); keys are found by id or MD5 fingerprint.
 */
export const sshKeysModule: EmulatorModule = {
  name: 'ssh-keys',
  register(core) {
    const keys = new Map<number, SshKeyJson>();

    const find = (ref: string | number): SshKeyJson | undefined => {
      const text = String(ref).trim();
      if (/^\d+$/.test(text)) return keys.get(Number(text));
      return [...keys.values()].find((k) => k.fingerprint === text.toLowerCase());
    };
    const lookup = (req: EmuRequest) => {
      const key = find(req.params.ssh_key_identifier ?? '');
      if (!key) throw notFound();
      return key;
    };
    const nameFrom = (body: Record<string, unknown>) => {
      const name = typeof body.name === 'string' ? body.name.trim() : '';
      if (!name) throw unprocessable("Name can't be blank");
      if (name.length > 255) throw unprocessable('Name is too long (maximum is 255 characters)');
      return name;
    };

    core.route('GET', '/v2/account/keys', (req) => {
      const all = [...keys.values()].sort((a, b) => a.id - b.id);
      return { status: 200, body: paginate(req, core.baseUrl(), 'ssh_keys', all) };
    });

    core.route('POST', '/v2/account/keys', (req) => {
      const body = objectBody(req);
      const publicKey = typeof body.public_key === 'string' ? body.public_key.trim() : '';
      const parsed = checkPublicKey(publicKey);
      if (typeof parsed === 'string') throw unprocessable(parsed);
      const name = nameFrom(body);
      const fingerprint = md5Fingerprint(parsed.blob);
      if ([...keys.values()].some((k) => k.fingerprint === fingerprint)) {
        throw unprocessable('SSH Key is already in use on your account');
      }
      const key: SshKeyJson = {
        id: core.ids.next('ssh_key', 41_000_000),
        fingerprint,
        public_key: publicKey,
        name,
      };
      keys.set(key.id, key);
      return { status: 201, body: { ssh_key: key } };
    });

    core.route('GET', '/v2/account/keys/:ssh_key_identifier', (req) => ({
      status: 200,
      body: { ssh_key: lookup(req) },
    }));

    core.route('PUT', '/v2/account/keys/:ssh_key_identifier', (req) => {
      const key = lookup(req);
      const body = objectBody(req);
      // Only the name can change; a body without one leaves the key as it is.
      if (body.name !== undefined) key.name = nameFrom(body);
      return { status: 200, body: { ssh_key: key } };
    });

    core.route('DELETE', '/v2/account/keys/:ssh_key_identifier', (req) => {
      keys.delete(lookup(req).id);
      return { status: 204 };
    });

    const service: SshKeysService = { resolve: (ref) => find(ref) };
    core.services.set('sshKeys', service);
    core.state('ssh_keys', {
      dump: () => [...keys.values()],
      reset: () => keys.clear(),
    });
  },
};

function objectBody(req: EmuRequest): Record<string, unknown> {
  return req.body && typeof req.body === 'object' && !Array.isArray(req.body)
    ? (req.body as Record<string, unknown>)
    : {};
}
