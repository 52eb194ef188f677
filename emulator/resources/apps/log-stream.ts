import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { AppsContext } from './context.js';
import { formatLine, isLogOpen, type LogLine, logLines } from './log-lines.js';
import type { LogRef, LogUrls } from './log-urls.js';

/** How often (real ms) a followed log is checked for new lines. */
const POLL_MS = 100;

/**
 * Serves the signed log URLs: a plain GET answers the text so far; a websocket upgrade (what
 * doctl does with `live_url`) sends `{"data": "<line>\n"}` frames, keeps sending while the phase
 * runs when following, and closes with 1000 when the log is complete.
 */
export class LogStreams {
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly ctx: AppsContext,
    private readonly urls: LogUrls,
  ) {}

  register(): void {
    this.ctx.core.route(
      'GET',
      '/_emulator/logs/:stream',
      (req) => {
        const ref = this.urls.verify(req.params.stream ?? '', req.query.get('token'));
        if (!ref) return { status: 401, text: 'invalid or missing log token\n' };
        const lines = this.lines(ref);
        if (!lines) return { status: 404, text: 'log not found\n' };
        return { status: 200, text: lines.map((l) => `${formatLine(l)}\n`).join('') };
      },
      { auth: 'none' },
    );
    this.ctx.core.upgrade('/_emulator/logs/:stream', this.upgrade);
  }

  stop(): void {
    for (const timer of this.timers) clearInterval(timer);
    this.timers.clear();
    for (const client of this.wss.clients) client.close(1001, 'emulator stopping');
    this.wss.close();
  }

  /** The visible lines of a log (tail applied), or undefined when its app or deployment is gone. */
  private lines(ref: LogRef): LogLine[] | undefined {
    const app = this.ctx.store.apps.get(ref.app);
    const d = app?.deployments.find((x) => x.id === ref.deployment);
    if (!d) return undefined;
    const lines = logLines(d, ref.type, ref.component, this.ctx.core.clock.now()) ?? [];
    return ref.tail ? lines.slice(-ref.tail) : lines;
  }

  private upgrade = (
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    params: Record<string, string>,
  ): void => {
    const token = new URL(req.url ?? '/', 'https://emulator').searchParams.get('token');
    const ref = this.urls.verify(params.stream ?? '', token);
    if (!ref || !this.lines(ref)) {
      socket.end(
        `HTTP/1.1 ${ref ? '404 Not Found' : '401 Unauthorized'}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`,
      );
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      let sent = 0;
      let first = true;
      const pump = () => {
        const app = this.ctx.store.apps.get(ref.app);
        const d = app?.deployments.find((x) => x.id === ref.deployment);
        if (!app || !d) return finish();
        const t = this.ctx.core.clock.now();
        const lines = logLines(d, ref.type, ref.component, t) ?? [];
        if (first && ref.tail) sent = Math.max(0, lines.length - ref.tail);
        first = false;
        for (const line of lines.slice(sent)) ws.send(JSON.stringify({ data: `${formatLine(line)}\n` }));
        sent = lines.length;
        if (!ref.follow || !isLogOpen(app, d, ref.type, t)) finish();
      };
      const timer = setInterval(pump, POLL_MS);
      this.timers.add(timer);
      const finish = () => {
        clearInterval(timer);
        this.timers.delete(timer);
        if (ws.readyState === ws.OPEN) ws.close(1000);
      };
      ws.on('close', finish);
      ws.on('error', () => ws.terminate());
      pump();
    });
  };
}
