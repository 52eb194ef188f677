import type { Socket } from 'node:net';
import ssh2, { type Connection, type PublicKeyAuthContext, type ServerChannel } from 'ssh2';
import { type Running, runCommand } from './exec.js';
import { sandboxPath } from './sandbox-user.js';
import type { HostView } from './types.js';

export interface SshFrontOptions {
  /** The emulator's host key (OpenSSH private key), the same for every droplet. */
  hostKey: string;
  /** The droplets a connection here may log into: one on its own address, all on a shared one. */
  candidates(): HostView[];
  sandboxOf(id: number): string | undefined;
  /** Real milliseconds a command may run before it is killed. */
  execTimeoutMs: number;
}

interface Login {
  dropletId: number;
  client: Connection;
  running: Set<Running>;
}

/** Client-sent variables that would make the sandbox lie about who and where it is. */
const PINNED_ENV = new Set(['HOME', 'USER', 'LOGNAME', 'PWD', 'SHELL']);

/**
 * The SSH side of droplet hosts: user `root`, public-key authentication against the keys the
 * droplet was created with, then real commands (`exec`) or a plain shell (`shell`, no pty) in the
 * droplet's sandbox, with stdout, stderr and the exit status (or the signal) sent back.
 */
export class SshFront {
  private readonly server: ssh2.Server;
  private readonly logins = new Set<Login>();

  constructor(private readonly o: SshFrontOptions) {
    this.server = new ssh2.Server({ hostKeys: [o.hostKey] }, (client) => this.onClient(client));
    this.server.on('error', () => undefined);
  }

  accept(socket: Socket): void {
    this.server.injectSocket(socket);
  }

  /** Ends the sessions of one droplet (it powered off, rebooted, was rebuilt or deleted). */
  disconnect(dropletId: number): void {
    for (const login of [...this.logins]) if (login.dropletId === dropletId) this.end(login);
  }

  close(): void {
    for (const login of [...this.logins]) this.end(login);
  }

  private end(login: Login): void {
    this.logins.delete(login);
    for (const running of login.running) running.kill();
    login.client.end();
  }

  private onClient(client: Connection): void {
    let droplet: HostView | undefined;
    client.on('error', () => undefined);
    client.on('authentication', (ctx) => {
      if (ctx.method !== 'publickey' || ctx.username !== 'root') return ctx.reject(['publickey']);
      const match = this.match(ctx);
      if (!match) return ctx.reject(['publickey']);
      if (ctx.signature) {
        if (match.key.verify(ctx.blob as Buffer, ctx.signature, ctx.hashAlgo) !== true)
          return ctx.reject(['publickey']);
        droplet = match.view;
      }
      ctx.accept();
    });
    client.on('ready', () => {
      if (!droplet) return client.end();
      const login: Login = { dropletId: droplet.id, client, running: new Set() };
      this.logins.add(login);
      client.on('close', () => this.end(login));
      client.on('session', (acceptSession) => {
        const session = acceptSession();
        const env: Record<string, string> = {};
        session.on('env', (accept, _reject, info) => {
          if (!PINNED_ENV.has(info.key)) env[info.key] = info.val;
          accept?.();
        });
        session.on('pty', (accept) => accept?.());
        session.on('window-change', (accept) => accept?.());
        session.on('exec', (accept, _reject, info) => this.start(login, accept(), info.command, env));
        session.on('shell', (accept) => this.start(login, accept(), undefined, env));
      });
    });
  }

  /** The newest serving droplet among the candidates whose authorized keys include the offered key. */
  private match(ctx: PublicKeyAuthContext) {
    const serving = this.o
      .candidates()
      .filter((view) => view.serving)
      .sort((a, b) => b.createdAt - a.createdAt);
    for (const view of serving) {
      for (const line of view.authorizedKeys) {
        const key = ssh2.utils.parseKey(line);
        if (!(key instanceof Error) && key.getPublicSSH().equals(ctx.key.data)) return { view, key };
      }
    }
    return undefined;
  }

  private start(
    login: Login,
    channel: ServerChannel,
    command: string | undefined,
    env: Record<string, string>,
  ): void {
    const view = this.o.candidates().find((v) => v.id === login.dropletId);
    const sandbox = this.o.sandboxOf(login.dropletId);
    if (!view || !sandbox) {
      channel.stderr.write('The droplet is no longer available.\n');
      channel.exit(255);
      channel.end();
      return;
    }
    const running = runCommand({
      command,
      cwd: sandbox,
      env: {
        PATH: sandboxPath(),
        LANG: 'C.UTF-8',
        PS1: `root@${view.name}:~# `,
        ...env,
        HOME: sandbox,
        PWD: sandbox,
        USER: 'root',
        LOGNAME: 'root',
        SHELL: '/bin/sh',
        HOSTNAME: view.name,
      },
      timeoutMs: this.o.execTimeoutMs,
      onStdout: (chunk) => channel.write(chunk),
      onStderr: (chunk) => channel.stderr.write(chunk),
    });
    login.running.add(running);
    channel.pipe(running.stdin);
    channel.on('close', () => running.kill());
    void running.done.then((result) => {
      login.running.delete(running);
      if (result.signal) channel.exit(result.signal, false, result.timedOut ? 'Command timed out' : '');
      else channel.exit(result.code ?? 0);
      channel.end();
    });
  }
}
