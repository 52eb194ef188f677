/**
 * Opening an SSH connection to a droplet, retried while the droplet is still coming up: right
 * after create a droplet refuses or drops connections until sshd runs (what doctl users hit as
 * "connection refused"). Refusals that retrying cannot fix (wrong key, wrong host key, unknown
 * host) end the attempt at once.
 */
import type { Client } from 'ssh2';
import { ConfigError } from '../errors.js';
import { ExecError, ExecTimeoutError, seconds } from './errors.js';
import { pinnedFingerprints, sameFingerprint, sha256Fingerprint } from './fingerprint.js';
import type { RunBounds } from './types.js';

export interface SshSettings {
  /** OpenSSH or PEM private key; never logged (registered with the redactor before use). */
  privateKey: string;
  /** Default root, as on a fresh droplet. */
  user?: string;
  /** Default 22. */
  port?: number;
  /**
   * `SHA256:<base64>`, or several separated by commas (each droplet has its own host key): only a
   * host presenting one of them is accepted; without it, trust on first use.
   */
  hostFingerprint?: string;
}

export interface ConnectOptions extends RunBounds {
  host: string;
  /** Names the target in sentences, e.g. `droplet base2-staging-1`. */
  label: string;
  ssh: SshSettings;
  /** Pause after the first failed attempt; doubles up to `retryMaxMs`. */
  retryInitialMs?: number;
  retryMaxMs?: number;
}

export interface Connection {
  client: Client;
  /** The host key the server presented. */
  fingerprint: string;
}

/** A failed attempt: `retry` when a booting host would explain it. */
interface Failure {
  retry: boolean;
  error: Error;
  /** What went wrong, for the final sentence when retries run out. */
  cause: string;
}

const RETRYABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'EPIPE',
]);
const RETRY_CAUSES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'connection timed out',
  EPIPE: 'connection closed',
};
/** ssh2's own wait for a handshake, per attempt. */
const MAX_ATTEMPT_MS = 20_000;

export function endpointOf(options: Pick<ConnectOptions, 'host' | 'ssh'>): string {
  return `${options.host}:${options.ssh.port ?? 22}`;
}

/** Connects, retrying while the host is not answering yet, until `endAt` (epoch ms). */
export async function connectSsh(options: ConnectOptions, endAt: number): Promise<Connection> {
  const { clock } = options;
  const started = clock.now();
  let pause = options.retryInitialMs ?? 250;
  const maxPause = options.retryMaxMs ?? 2_000;
  for (let attempt = 1; ; attempt++) {
    const left = endAt - clock.now();
    if (options.signal?.aborted || left <= 0) throw notInTime(options, clock.now() - started);
    const outcome = await connectOnce(options, Math.min(left, MAX_ATTEMPT_MS));
    if ('client' in outcome) return outcome;
    if (!outcome.retry) throw outcome.error;
    // Jitter keeps many droplets of one deployment from being retried in lockstep.
    const wait = pause * (0.8 + 0.4 * options.random());
    if (clock.now() + wait >= endAt) {
      throw new ExecError(
        'connection-refused',
        `Could not connect to ${options.label} at ${endpointOf(options)}: ${outcome.cause} ` +
          `(${attempt} attempt${attempt === 1 ? '' : 's'} over ${seconds(clock.now() - started)}).`,
        {
          hint:
            'The droplet may still be booting, or a firewall blocks the port: try again with a longer timeout, ' +
            'and check DO_SSH_PORT and the firewall inbound rules.',
        },
      );
    }
    try {
      await clock.sleep(wait, options.signal);
    } catch {
      throw notInTime(options, clock.now() - started);
    }
    pause = Math.min(maxPause, pause * 2);
  }
}

function notInTime(options: ConnectOptions, elapsedMs: number): ExecTimeoutError {
  return new ExecTimeoutError(
    `Could not reach ${options.label} at ${endpointOf(options)} within ${seconds(elapsedMs)}: the time allowed ran out while connecting.`,
    undefined,
    { hint: 'Try again with a longer timeout; a droplet that has just been created needs a minute to boot.' },
  );
}

/** ssh2 is loaded when a connection is first made, so the functions that never SSH start faster. */
const loadSsh2 = async () => (await import('ssh2')).default;

async function connectOnce(options: ConnectOptions, readyTimeoutMs: number): Promise<Connection | Failure> {
  const ssh2 = await loadSsh2();
  return new Promise((resolve) => {
    const client = new ssh2.Client();
    const pinned = options.ssh.hostFingerprint;
    let seen: string | undefined;
    let mismatch = false;
    let settled = false;
    const settle = (value: Connection | Failure) => {
      if (settled) return;
      settled = true;
      options.signal?.removeEventListener('abort', onAbort);
      if (!('client' in value)) client.end();
      resolve(value);
    };
    const onAbort = () =>
      settle({ retry: false, error: notInTime(options, readyTimeoutMs), cause: 'the time allowed ran out' });
    options.signal?.addEventListener('abort', onAbort, { once: true });
    client.on('ready', () => settle({ client, fingerprint: seen ?? '' }));
    client.on('error', (error) => settle(classify(error, options, mismatch ? seen : undefined)));
    client.on('close', () =>
      settle({
        retry: true,
        error: new Error('connection closed'),
        cause: 'the connection closed before the handshake',
      }),
    );
    try {
      client.connect({
        host: options.host,
        port: options.ssh.port ?? 22,
        username: options.ssh.user ?? 'root',
        privateKey: options.ssh.privateKey,
        readyTimeout: Math.max(1, Math.floor(readyTimeoutMs)),
        // Never fall back to an agent or a password: the key from the environment is the only identity.
        agent: undefined,
        tryKeyboard: false,
        hostVerifier: (key: Buffer) => {
          seen = sha256Fingerprint(key);
          mismatch =
            pinned !== undefined && !pinnedFingerprints(pinned).some((p) => sameFingerprint(seen!, p));
          return !mismatch;
        },
      });
    } catch {
      // ssh2 throws synchronously for a key it cannot parse; its message is not shown (it is about the key).
      settle({
        retry: false,
        error: new ConfigError('The SSH private key', [
          {
            path: 'DO_SSH_PRIVATE_KEY',
            message:
              'cannot be read as an unencrypted OpenSSH or PEM private key (passphrases are not supported)',
          },
        ]),
        cause: 'unreadable private key',
      });
    }
  });
}

type Ssh2Error = Error & { level?: string; code?: string };

function classify(raw: Error, options: ConnectOptions, mismatchSeen: string | undefined): Failure {
  const error = raw as Ssh2Error;
  const where = `${options.label} at ${endpointOf(options)}`;
  if (mismatchSeen !== undefined) {
    return fatal(
      new ExecError(
        'host-key-mismatch',
        `Refused to connect to ${where}: it presented host key ${mismatchSeen}, not ${pinnedFingerprints(options.ssh.hostFingerprint ?? '').length > 1 ? 'any of the pinned ones' : `the pinned ${options.ssh.hostFingerprint}`}.`,
        {
          hint:
            'If the droplet was rebuilt or replaced, confirm its new key out of band and update ' +
            'DO_SSH_HOST_FINGERPRINT; otherwise something may be intercepting the connection.',
        },
      ),
    );
  }
  if (error.level === 'client-authentication') {
    return fatal(
      new ExecError(
        'auth-refused',
        `${capitalised(where)} refused the SSH key for user ${options.ssh.user ?? 'root'}.`,
        {
          hint:
            'Set DO_SSH_PRIVATE_KEY to the private half of the key the droplet was created with ' +
            '(droplets.ssh_key.public_key in deployment.yml), and DO_SSH_USER if it is not root.',
        },
      ),
    );
  }
  if (error.level === 'client-dns' || error.code === 'ENOTFOUND' || error.code === 'EAI_AGAIN') {
    return fatal(
      new ExecError(
        'unknown-host',
        `Could not find ${options.label}: the host ${options.host} does not resolve.`,
        {
          hint: 'Check the target name and that the droplet has a public IPv4 address.',
        },
      ),
    );
  }
  if (error.code !== undefined && RETRYABLE_CODES.has(error.code)) {
    return { retry: true, error, cause: RETRY_CAUSES[error.code] ?? error.code };
  }
  if (error.message === 'Connection lost before handshake') {
    return { retry: true, error, cause: 'the connection closed before the handshake' };
  }
  if (error.level === 'client-timeout') {
    return { retry: true, error, cause: 'no SSH handshake in time' };
  }
  return fatal(
    new ExecError(
      'protocol',
      `The SSH connection to ${where} failed: ${error.message.replace(/[.\s]+$/, '')}.`,
    ),
  );
}

function fatal(error: Error): Failure {
  return { retry: false, error, cause: error.message };
}

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
