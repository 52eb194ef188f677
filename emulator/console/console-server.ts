import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { EmuClock } from '../core/clock.js';
import { type ConsoleTarget, ShellSession } from './shell-session.js';

export interface ConsoleServerOptions {
  baseUrl(): string;
  clock: EmuClock;
  /** How long (virtual ms) an exec URL stays usable before its first connection. */
  ttlMs: number;
}

interface PendingSession {
  token: Buffer;
  target: ConsoleTarget;
  expiresAt: number;
}

interface LiveSession {
  key: string;
  shell: ShellSession;
  close(): void;
}

/**
 * The exec websockets: `issue` hands out a `wss://…/_emulator/console/<session>?token=…` URL whose
 * token works once (a reused, unknown or expired token gets 401 and no upgrade); each connection
 * runs a ShellSession speaking doctl's console protocol.
 */
export class ConsoleServer {
  private readonly pending = new Map<string, PendingSession>();
  private readonly live = new Set<LiveSession>();
  private readonly wss = new WebSocketServer({ noServer: true });

  constructor(private readonly options: ConsoleServerOptions) {}

  issue(target: ConsoleTarget): string {
    this.expire();
    const session = randomBytes(16).toString('hex');
    const token = randomBytes(32);
    this.pending.set(session, { token, target, expiresAt: this.options.clock.now() + this.options.ttlMs });
    const wsBase = this.options.baseUrl().replace(/^https:/, 'wss:');
    return `${wsBase}/_emulator/console/${session}?token=${token.toString('base64url')}`;
  }

  /** The upgrade handler for `/_emulator/console/:session`. */
  upgrade = (req: IncomingMessage, socket: Duplex, head: Buffer, params: Record<string, string>): void => {
    const session = params.session ?? '';
    const pending = this.pending.get(session);
    const given = Buffer.from(
      new URL(req.url ?? '/', 'https://emulator').searchParams.get('token') ?? '',
      'base64url',
    );
    const valid =
      pending !== undefined &&
      pending.expiresAt >= this.options.clock.now() &&
      given.length === pending.token.length &&
      timingSafeEqual(given, pending.token);
    if (!valid) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    // One use only: the URL is spent as soon as a connection presents it.
    this.pending.delete(session);
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const shell = new ShellSession(
        {
          send: (text) => {
            if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ data: text }));
          },
          close: (code, reason) => ws.close(code, reason),
        },
        pending.target,
      );
      const entry: LiveSession = {
        key: pending.target.key,
        shell,
        close: () => ws.close(1000, 'session ended'),
      };
      this.live.add(entry);
      ws.on('message', (data) => shell.frame(data.toString()));
      ws.on('close', () => {
        shell.end();
        this.live.delete(entry);
      });
      ws.on('error', () => ws.terminate());
      shell.start().catch((error: Error) => ws.close(1011, error.message.slice(0, 100)));
    });
  };

  /** Closes every session (and forgets unused URLs) of one key, e.g. a deleted app. */
  closeFor(key: string): void {
    for (const [session, pending] of this.pending)
      if (pending.target.key === key) this.pending.delete(session);
    for (const entry of this.live) {
      if (entry.key !== key) continue;
      entry.shell.end();
      entry.close();
    }
  }

  /** Closes every session and forgets every unused URL (emulator reset). */
  closeAll(): void {
    this.pending.clear();
    for (const entry of this.live) {
      entry.shell.end();
      entry.close();
    }
    this.live.clear();
  }

  stop(): void {
    this.closeAll();
    this.wss.close();
  }

  private expire(): void {
    const now = this.options.clock.now();
    for (const [session, pending] of this.pending) if (pending.expiresAt < now) this.pending.delete(session);
  }
}
