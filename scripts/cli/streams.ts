/**
 * stdout and stderr that survive being closed by the reader (`npm run invoke -- deploy | head -1`):
 * Node reports the broken pipe (EPIPE) as an 'error' event that would otherwise end the process
 * at once, mid-change, leaving the deployment locked. Here it is noted, `onBroken` is told (the CLI
 * treats it as an interrupt), and further writes to that stream are dropped.
 */
import type { Writable } from 'node:stream';

export interface GuardedStream {
  write(text: string): void;
  readonly isTTY: boolean;
  readonly broken: boolean;
}

function guard(stream: Writable & { isTTY?: boolean }, onBroken: () => void): GuardedStream {
  let broken = false;
  stream.on('error', () => {
    // EPIPE, or any other failure to write: either way nobody reads this stream any more.
    if (broken) return;
    broken = true;
    onBroken();
  });
  return {
    write(text) {
      if (!broken) stream.write(text);
    },
    get isTTY() {
      return stream.isTTY === true;
    },
    get broken() {
      return broken;
    },
  };
}

export function guardedStreams(onBroken: () => void): { stdout: GuardedStream; stderr: GuardedStream } {
  return { stdout: guard(process.stdout, onBroken), stderr: guard(process.stderr, onBroken) };
}
