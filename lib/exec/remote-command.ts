/**
 * How a command line is sent over SSH so that a timeout can really stop it. Without a terminal,
 * OpenSSH leaves a command running when its channel closes, and it refuses `signal` requests for
 * root logins ("session signalling requires privilege separation"). So the line first prints the
 * PID of the session's shell, which sshd made a process-group leader (setsid), and then `exec`s the
 * user's login shell on the command, keeping that PID: on timeout the whole group is killed from a
 * second channel. The command itself reaches the shell unchanged.
 */

export const PID_LINE_PREFIX = 'B2DO-PID ';

/** Pure: the line sent as the SSH `exec` request. */
export function remoteCommandLine(command: string): string {
  return `printf '${PID_LINE_PREFIX}%s\\n' "$$"; exec "\${SHELL:-/bin/sh}" -c ${singleQuoted(command)}`;
}

/** Pure: the line that kills the command's process group (or the shell alone, where there is no group). */
export function killLine(pid: number): string {
  return `kill -9 -${pid} 2>/dev/null || kill -9 ${pid} 2>/dev/null; true`;
}

export function singleQuoted(text: string): string {
  return `'${text.replaceAll("'", "'\\''")}'`;
}

/** A login script that prints something would put it before the PID line; this much is searched. */
const MAX_HEAD_BYTES = 8192;
const PID_PATTERN = new RegExp(`${PID_LINE_PREFIX}(\\d+)\\n`);

/**
 * Takes the PID line out of the start of stdout. What comes before it (a chatty login script) and
 * everything after it is the command's output.
 */
export class PidLine {
  private head: Buffer = Buffer.alloc(0);
  private found = false;
  pid: number | undefined;

  /** The bytes of `chunk` that are output (held back while the PID line may still be arriving). */
  take(chunk: Buffer): Buffer {
    if (this.found) return chunk;
    this.head = Buffer.concat([this.head, chunk]);
    const match = PID_PATTERN.exec(this.head.toString('latin1'));
    if (match) {
      this.found = true;
      this.pid = Number(match[1]);
      const end = match.index + match[0].length;
      const output = Buffer.concat([this.head.subarray(0, match.index), this.head.subarray(end)]);
      this.head = Buffer.alloc(0);
      return output;
    }
    if (this.head.length > MAX_HEAD_BYTES) return this.flush();
    return Buffer.alloc(0);
  }

  /** Whatever is still held: output, since no PID line came. */
  flush(): Buffer {
    this.found = true;
    const output = this.head;
    this.head = Buffer.alloc(0);
    return output;
  }
}
