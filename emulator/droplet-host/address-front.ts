import type { Server as HttpServer } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import { createContainerServer } from './http-server.js';
import { SshFront } from './ssh-server.js';
import type { HostView } from './types.js';

export interface AddressFrontOptions {
  address: string;
  ports: { ssh: number; http: number };
  hostKey: string;
  execTimeoutMs: number;
  /** The droplets answering on this address. */
  candidates(): HostView[];
  sandboxOf(id: number): string | undefined;
}

/**
 * What happens to a new connection: handed to the server; reset (nothing listens, or the machine
 * is down: the client learns at once); or dropped (a firewall: the client hears nothing at all
 * until its own timeout, as DigitalOcean's Cloud Firewalls do to traffic no rule allows).
 */
type Verdict = 'pass' | 'reset' | 'drop';

/** How long a dropped connection is held before the emulator lets go of it (real time). */
const DROP_HOLD_MS = 10 * 60_000;

/**
 * One loopback address answering SSH and HTTP for the droplets on it. Each connection is judged
 * when it is accepted, against the caller's address: the cloud firewalls covering the droplet,
 * whether its machine is up, and (HTTP) whether its container answers yet.
 */
export class AddressFront {
  readonly ssh: SshFront;
  private readonly http: HttpServer;
  private readonly listeners: Server[] = [];
  private readonly sockets = new Set<Socket>();

  constructor(private readonly o: AddressFrontOptions) {
    this.ssh = new SshFront({
      hostKey: o.hostKey,
      candidates: o.candidates,
      sandboxOf: o.sandboxOf,
      execTimeoutMs: o.execTimeoutMs,
    });
    this.http = createContainerServer((source) => this.httpTarget(source) === 'pass');
  }

  /** Binds both ports; if either is taken the address is left as it was and the error is thrown. */
  async listen(): Promise<void> {
    try {
      await this.bind(
        this.o.ports.ssh,
        (source) => this.sshTarget(source),
        (socket) => this.ssh.accept(socket),
      );
      await this.bind(
        this.o.ports.http,
        (source) => this.httpTarget(source),
        (socket) => this.http.emit('connection', socket),
      );
    } catch (error) {
      await this.close();
      throw error;
    }
  }

  async close(): Promise<void> {
    this.ssh.close();
    for (const socket of this.sockets) socket.destroy();
    await Promise.all(
      this.listeners.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))),
    );
    this.listeners.length = 0;
  }

  /** SSH passes when a droplet here is up and its firewalls let the caller in on the SSH port. */
  private sshTarget(source: string): Verdict {
    const up = this.o.candidates().filter((view) => view.serving);
    if (up.length === 0) return 'reset';
    return up.some((view) => view.admits(this.o.ports.ssh, source)) ? 'pass' : 'drop';
  }

  /** HTTP passes only to a container that answers; before it, the port refuses or (host firewall) drops. */
  private httpTarget(source: string): Verdict {
    const up = this.o.candidates().filter((view) => view.serving);
    if (up.length === 0) return 'reset';
    const admitted = up
      .filter((view) => view.admits(this.o.ports.http, source))
      .sort((a, b) => b.createdAt - a.createdAt);
    if (admitted.length === 0) return 'drop';
    if (admitted.some((view) => view.http === 'container')) return 'pass';
    return admitted[0]!.http === 'filtered' ? 'drop' : 'reset';
  }

  private bind(
    port: number,
    judge: (source: string) => Verdict,
    hand: (socket: Socket) => void,
  ): Promise<void> {
    const server = createServer((socket) => {
      socket.on('error', () => undefined);
      const verdict = judge(socket.remoteAddress ?? '');
      if (verdict === 'reset') {
        socket.resetAndDestroy();
        return;
      }
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
      if (verdict === 'drop') {
        // Never read, never answered: the caller waits until it gives up.
        socket.pause();
        socket.setTimeout(DROP_HOLD_MS, () => socket.destroy());
        return;
      }
      hand(socket);
    });
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, this.o.address, () => {
        server.off('error', reject);
        this.listeners.push(server);
        resolve();
      });
    });
  }
}
