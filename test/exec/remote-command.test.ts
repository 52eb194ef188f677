import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { killLine, PidLine, remoteCommandLine, singleQuoted } from '../../lib/exec/remote-command.js';

describe('remoteCommandLine', () => {
  it('prints the shell’s PID first, then runs the command unchanged in $SHELL', () => {
    const command = `echo "it's $((1 + 1))" | tr a-z A-Z; echo err >&2; exit 3`;
    const run = spawnSync('/bin/sh', ['-c', remoteCommandLine(command)], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH, SHELL: '/bin/sh' },
    });
    expect(run.stdout).toBe(`B2DO-PID ${run.pid}\nIT'S 2\n`);
    expect(run.stderr).toBe('err\n');
    expect(run.status).toBe(3);
  });

  it('quotes for a POSIX shell', () => {
    expect(singleQuoted("a'b")).toBe("'a'\\''b'");
    expect(killLine(42)).toBe('kill -9 -42 2>/dev/null || kill -9 42 2>/dev/null; true');
  });
});

describe('PidLine', () => {
  it('takes the PID line out of stdout, however it is split', () => {
    const line = new PidLine();
    const parts = ['B2DO-P', 'ID 12', '34\nhel', 'lo\n'].map((p) => line.take(Buffer.from(p)).toString());
    expect(parts.join('')).toBe('hello\n');
    expect(line.pid).toBe(1234);
  });

  it('keeps what a login script printed before it as output', () => {
    const line = new PidLine();
    expect(line.take(Buffer.from('motd\nB2DO-PID 7\nout')).toString()).toBe('motd\nout');
    expect(line.pid).toBe(7);
  });

  it('gives held bytes back as output when no PID line comes', () => {
    const line = new PidLine();
    expect(line.take(Buffer.from('no pid here')).length).toBe(0);
    expect(line.flush().toString()).toBe('no pid here');
    expect(line.pid).toBeUndefined();
  });
});
