import { createHash } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import { md5Fingerprint } from '../resources/ssh-keys.js';
import { AddressFront } from './address-front.js';
import { makeSandbox } from './sandbox-user.js';
import type { HostDirectory, HostView } from './types.js';

export interface DropletHostsOptions {
  /**
   * `range`: each droplet listens on its own loopback address (127.0.0.2 upward), like a real
   * droplet on its own public IP. `single`: every droplet is 127.0.0.1 and shares one SSH and one
   * HTTP listener; SSH picks the droplet by the key that authenticated (the newest serving droplet
   * created with that key) and HTTP answers for the newest serving droplet.
   */
  mode: 'range' | 'single';
  ports: { ssh: number; http: number };
  workDir: string;
  directory: HostDirectory;
  /** Real milliseconds a command may run before it is killed. */
  execTimeoutMs?: number;
}

const SINGLE_ADDRESS = '127.0.0.1';
const DEFAULT_EXEC_TIMEOUT_MS = 10 * 60_000;
/**
 * How many loopback addresses to try when others on this machine hold the ports. Two emulators may
 * be handed the same free port numbers (test files run side by side, each with its own emulator),
 * and one of them may hold a hundred droplet addresses: a failed bind costs well under a
 * millisecond, and 127.0.0.0/8 has room for both.
 */
const BIND_ATTEMPTS = 2048;

/** A machine's SSH host key: the private half its server presents, the public half and fingerprints. */
export interface HostKey {
  private: string;
  publicKey: string;
  /** `aa:bb:…`, as DigitalOcean shows SSH key fingerprints. */
  md5: string;
  /** OpenSSH's `SHA256:…`, what `ssh-keygen -lf` prints and clients pin. */
  sha256: string;
}

/**
 * The machines behind droplets: a sandbox directory each, and their SSH and HTTP listeners. Each
 * droplet on its own address has its own SSH host key, made when it is created and kept until it
 * is deleted, as a real droplet generates its keys on first boot. On a shared address (`single`)
 * the key is presented before anyone logs in, so every droplet there shows that address's one key.
 */
export class DropletHosts {
  private readonly sharedKey = newHostKey();
  private readonly keys = new Map<number, HostKey>();
  private readonly fronts = new Map<number, { address: string; front: AddressFront }>();
  private readonly sandboxes = new Map<number, string>();
  private shared: Promise<AddressFront> | undefined;

  constructor(private readonly o: DropletHostsOptions) {}

  /** The host key droplet `id` presents, while it exists. */
  hostKeyOf(id: number): HostKey | undefined {
    if (!this.sandboxes.has(id)) return undefined;
    return this.o.mode === 'single' ? this.sharedKey : this.keys.get(id);
  }

  /** Binds the shared listeners at once in single-address mode, so the ports are held from the start. */
  async start(): Promise<void> {
    if (this.o.mode === 'single') await this.sharedFront();
  }

  /** Prepares a droplet's machine and returns the address it answers on (its public IPv4). */
  async add(id: number): Promise<string> {
    const sandbox = join(this.o.workDir, 'droplets', String(id));
    await makeSandbox(sandbox);
    this.sandboxes.set(id, sandbox);
    try {
      if (this.o.mode === 'single') {
        await this.sharedFront();
        return SINGLE_ADDRESS;
      }
      this.keys.set(id, newHostKey());
      return await this.bindOwnAddress(id);
    } catch (error) {
      this.sandboxes.delete(id);
      this.keys.delete(id);
      await rm(sandbox, { recursive: true, force: true });
      throw error;
    }
  }

  /** The droplet was deleted: its listeners close, its sessions end and its disk is gone. */
  async remove(id: number): Promise<void> {
    const own = this.fronts.get(id);
    this.fronts.delete(id);
    if (own) await own.front.close();
    else if (this.shared) (await this.shared).ssh.disconnect(id);
    const sandbox = this.sandboxes.get(id);
    this.sandboxes.delete(id);
    this.keys.delete(id);
    if (sandbox) await rm(sandbox, { recursive: true, force: true });
  }

  /** Ends the droplet's SSH sessions and running commands (power off, reboot, rebuild). */
  async disconnect(id: number): Promise<void> {
    const own = this.fronts.get(id);
    if (own) own.front.ssh.disconnect(id);
    else if (this.shared) (await this.shared).ssh.disconnect(id);
  }

  /** A rebuild starts from a fresh disk. */
  async wipe(id: number): Promise<void> {
    const sandbox = this.sandboxes.get(id);
    if (!sandbox) return;
    await this.disconnect(id);
    await rm(sandbox, { recursive: true, force: true });
    // Deleted (or reset) meanwhile: its disk is gone for good, not to be made again.
    if (this.sandboxes.get(id) === sandbox) await makeSandbox(sandbox);
  }

  /** Forgets every droplet at once (emulator reset); listeners and disks go in the background. */
  reset(): void {
    const ids = [...this.sandboxes.keys()];
    const dirs = [...this.sandboxes.values()];
    const fronts = [...this.fronts.values()].map((entry) => entry.front);
    const shared = this.shared;
    this.fronts.clear();
    this.sandboxes.clear();
    this.keys.clear();
    void (async () => {
      const sharedFront = await shared?.catch(() => undefined);
      for (const id of ids) sharedFront?.ssh.disconnect(id);
      await Promise.all(fronts.map((front) => front.close()));
      await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
    })();
  }

  async close(): Promise<void> {
    const fronts = [...this.fronts.values()].map((entry) => entry.front);
    this.fronts.clear();
    if (this.shared) fronts.push(await this.shared);
    this.shared = undefined;
    await Promise.all(fronts.map((front) => front.close()));
    await Promise.all([...this.sandboxes.values()].map((dir) => rm(dir, { recursive: true, force: true })));
    this.sandboxes.clear();
  }

  private front(address: string, hostKey: HostKey, candidates: () => HostView[]): AddressFront {
    return new AddressFront({
      address,
      ports: this.o.ports,
      hostKey: hostKey.private,
      execTimeoutMs: this.o.execTimeoutMs ?? DEFAULT_EXEC_TIMEOUT_MS,
      candidates,
      sandboxOf: (id) => this.sandboxes.get(id),
    });
  }

  private sharedFront(): Promise<AddressFront> {
    if (!this.shared) {
      const front = this.front(SINGLE_ADDRESS, this.sharedKey, () =>
        this.o.directory.list().filter((view) => this.sandboxes.has(view.id)),
      );
      this.shared = front.listen().then(() => front);
      this.shared.catch(() => {
        this.shared = undefined;
      });
    }
    return this.shared;
  }

  private async bindOwnAddress(id: number): Promise<string> {
    const inUse = new Set([...this.fronts.values()].map((entry) => entry.address));
    let tried = 0;
    for (let n = 0; tried < BIND_ATTEMPTS; n++) {
      const address = loopbackAddress(n);
      if (inUse.has(address)) continue;
      tried++;
      const front = this.front(address, this.keys.get(id)!, () => {
        const view = this.o.directory.get(id);
        return view ? [view] : [];
      });
      try {
        await front.listen();
        this.fronts.set(id, { address, front });
        return address;
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        // Another emulator (or anything else) holds our ports there: try the next address.
        if (code !== 'EADDRINUSE' && code !== 'EADDRNOTAVAIL') throw error;
      }
    }
    throw new Error(`no free loopback address for droplet ${id} after ${BIND_ATTEMPTS} attempts`);
  }
}

/** The n-th droplet address: 127.0.0.2, 127.0.0.3, …, skipping .0 and .255 in the last octet. */
export function loopbackAddress(n: number): string {
  const perBlock = 253;
  const block = Math.floor(n / perBlock);
  const host = block === 0 ? 2 + n : 1 + (n % perBlock);
  const third = block % 256;
  const second = Math.floor(block / 256);
  return `127.${second}.${third}.${host}`;
}

/**
 * ssh2 writes about one ed25519 private key in 256 that its own parser then refuses
 * ("Malformed OpenSSH private key", mscdex/ssh2#1390): draw again until it reads back.
 */
function parsableKeyPair(): { private: string; public: string } {
  for (;;) {
    const pair = ssh2.utils.generateKeyPairSync('ed25519');
    if (!(ssh2.utils.parseKey(pair.private) instanceof Error)) return pair;
  }
}

function newHostKey(): HostKey {
  const pair = parsableKeyPair();
  const parsed = ssh2.utils.parseKey(pair.public);
  const blob = parsed instanceof Error ? Buffer.alloc(0) : parsed.getPublicSSH();
  const sha256 = `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
  return { private: pair.private, publicKey: pair.public, md5: md5Fingerprint(blob), sha256 };
}
