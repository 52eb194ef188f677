import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { makeSandbox, makeSandboxSync, sandboxPath, spawnIdentity } from '../droplet-host/sandbox-user.js';
import { CrlfWriter, type Key, keysOf } from './terminal-text.js';

/** The container a console session runs in. */
export interface ConsoleTarget {
  /** Sessions are closed by this key (the app id) when the app goes away. */
  key: string;
  /** The instance (pod) name, also the hostname shown in the prompt. */
  instance: string;
  /** The container's environment: the component's envs, secrets included. */
  env: Record<string, string>;
  /** The sandbox directory standing in for the container's `/app`. */
  dir: string;
}

/** Where the session's terminal output goes, and how it ends (1000 when the shell exits). */
export interface TerminalIo {
  send(text: string): void;
  close(code: number, reason?: string): void;
}

const APP_DIR = '/app';

// Runs one command line the way an interactive shell would: syntax errors do not end the shell
// (`command eval`), the working directory carries over (reported on fd 3), and a top-level `exit`
// ends it (the report never comes).
const RUN_LINE =
  '__emu_line=$__EMU_LINE; unset __EMU_LINE; command eval "$__emu_line"; __emu_rc=$?; pwd >&3; exit $__emu_rc';

/**
 * An interactive shell over the console protocol: echoes keystrokes, edits the line (backspace,
 * Ctrl-C, Ctrl-D), runs each line with /bin/sh in the sandbox with the container's environment,
 * streams its output with CRLF line endings, then prints a new prompt.
 */
export class ShellSession {
  private line = '';
  private cwd: string;
  private child: ChildProcess | undefined;
  private interrupted = false;
  private closed = false;
  private columns = 80;
  private rows = 24;
  private readonly out = new CrlfWriter();

  constructor(
    private readonly io: TerminalIo,
    private readonly target: ConsoleTarget,
  ) {
    this.cwd = target.dir;
  }

  async start(): Promise<void> {
    await makeSandbox(this.target.dir);
    this.prompt();
  }

  /** One client frame: `{"op":"stdin","data":…}` or `{"op":"resize","width":…,"height":…}`. */
  frame(raw: string): void {
    let message: { op?: unknown; data?: unknown; width?: unknown; height?: unknown };
    try {
      message = JSON.parse(raw) as typeof message;
    } catch {
      return;
    }
    if (message.op === 'resize') {
      if (Number.isInteger(message.width) && (message.width as number) > 0)
        this.columns = message.width as number;
      if (Number.isInteger(message.height) && (message.height as number) > 0)
        this.rows = message.height as number;
    } else if (message.op === 'stdin' && typeof message.data === 'string') {
      // doctl sends empty stdin frames as keep-alives.
      for (const key of keysOf(message.data)) this.key(key);
    }
  }

  /** Ends the session from outside (client gone, app deleted, emulator stopping). */
  end(): void {
    this.closed = true;
    this.killChild('SIGKILL');
  }

  private key(key: Key): void {
    if (this.closed) return;
    switch (key.kind) {
      case 'char':
        this.line += key.char;
        this.io.send(key.char);
        return;
      case 'backspace':
        if (this.line) {
          this.line = [...this.line].slice(0, -1).join('');
          this.io.send('\b \b');
        }
        return;
      case 'enter':
        this.io.send('\r\n');
        this.enter();
        return;
      case 'interrupt':
        this.io.send('^C\r\n');
        this.line = '';
        if (this.child) {
          this.interrupted = true;
          this.killChild('SIGINT');
        } else {
          this.prompt();
        }
        return;
      case 'eof':
        if (this.child) {
          this.child.stdin?.end();
        } else if (!this.line) {
          // Like bash: Ctrl-D on an empty line logs out, saying so.
          this.io.send('exit\r\n');
          this.exit();
        }
        return;
      case 'ignored':
        return;
    }
  }

  private enter(): void {
    const line = this.line;
    this.line = '';
    if (this.child) {
      // A running command reads typed lines on its stdin, as in a terminal's canonical mode.
      this.child.stdin?.write(`${line}\n`);
      return;
    }
    if (line.trim() === '') {
      this.prompt();
      return;
    }
    this.run(line);
  }

  private run(line: string): void {
    // A directory removed under the shell (or the whole sandbox, by a reset) falls back to /app.
    if (!existsSync(this.cwd)) {
      this.cwd = this.target.dir;
      makeSandboxSync(this.target.dir);
    }
    const child = spawn('/bin/sh', ['-c', RUN_LINE], {
      cwd: this.cwd,
      env: {
        PATH: sandboxPath(),
        HOME: this.target.dir,
        HOSTNAME: this.target.instance,
        TERM: 'xterm-256color',
        COLUMNS: String(this.columns),
        LINES: String(this.rows),
        ...this.target.env,
        __EMU_LINE: line,
      },
      stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
      detached: true,
      // Not the emulator's own user where it can switch (droplet-host/sandbox-user.ts).
      ...spawnIdentity(),
    });
    this.child = child;
    this.interrupted = false;
    let reportedCwd: string | undefined;
    child.stdin?.on('error', () => undefined);
    for (const stream of [child.stdout, child.stderr]) {
      stream?.setEncoding('utf8');
      stream?.on('data', (chunk: string) => {
        if (!this.closed) this.io.send(this.out.convert(chunk));
      });
    }
    const report = child.stdio[3] as NodeJS.ReadableStream | null;
    report?.setEncoding('utf8');
    report?.on('data', (chunk: string) => {
      reportedCwd = (reportedCwd ?? '') + chunk;
    });
    let failedToStart = false;
    child.on('error', (error) => {
      failedToStart = true;
      this.io.send(this.out.convert(`sh: ${error.message}\n`));
    });
    child.on('close', (_code, signal) => {
      if (this.child === child) this.child = undefined;
      if (this.closed) return;
      if (reportedCwd !== undefined) {
        this.cwd = reportedCwd.trim() || this.cwd;
        this.prompt();
      } else if (signal !== null || this.interrupted || failedToStart) {
        this.prompt();
      } else {
        this.exit();
      }
    });
  }

  private exit(): void {
    this.closed = true;
    this.killChild('SIGKILL');
    this.io.close(1000, 'shell exited');
  }

  private killChild(signal: NodeJS.Signals): void {
    const pid = this.child?.pid;
    if (pid === undefined) return;
    try {
      // The command runs in its own process group, so pipelines and children stop together.
      process.kill(-pid, signal);
    } catch {
      this.child?.kill(signal);
    }
  }

  private prompt(): void {
    const shown =
      this.cwd === this.target.dir
        ? APP_DIR
        : this.cwd.startsWith(`${this.target.dir}/`)
          ? APP_DIR + this.cwd.slice(this.target.dir.length)
          : this.cwd;
    this.io.send(`root@${this.target.instance}:${shown}# `);
  }
}
