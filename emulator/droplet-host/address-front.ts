import type { Server as HttpServer } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import { createStatusServer } from './http-server.js';
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
 * One loopback address answering SSH and HTTP for the droplets on it. A connection is checked at
 * accept time and closed at once when no droplet there is serving (not yet active, off, rebooting
 * or deleted), so a client sees the droplet as unreachable, as it would on DigitalOcean.
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
    this.http = createStatusServer(o.candidates);
  }

  /** Binds both ports; if either is taken the address is left as it was and the error is thrown. */
  async listen(): Promise<void> {
    try {
      await this.bind(this.o.ports.ssh, (socket) => this.ssh.accept(socket));
      await this.bind(this.o.ports.http, (socket) => this.http.emit('connection', socket));
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

  private bind(port: number, hand: (socket: Socket) => void): Promise<void> {
    const server = createServer((socket) => {
      if (!this.o.candidates().some((view) => view.serving)) {
        socket.destroy();
        return;
      }
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
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
