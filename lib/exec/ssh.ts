/**
 * Runs one command on a host over SSH (ssh2): stdout and stderr apart, the exit status or signal,
 * bounded in time and in output. The connection is retried while the host boots (ssh-connect.ts);
 * a command past its timeout is killed with its process group (remote-command.ts). Its stdin is
 * closed at once, as with `ssh host cmd </dev/null`, so a command that reads it does not hang.
 */
import type { Client, ClientChannel } from 'ssh2';
import { ExecError, ExecTimeoutError, seconds } from './errors.js';
import { CappedOutput } from './output.js';
import { killLine, PidLine, remoteCommandLine } from './remote-command.js';
import { type ConnectOptions, connectSsh, endpointOf } from './ssh-connect.js';
import type { CommandResult } from './types.js';

export type { SshSettings } from './ssh-connect.js';

export interface SshOptions extends ConnectOptions {
  /** A command line, run by the login shell as `ssh host '<command>'` would run it. */
  command: string;
}

export async function runSsh(options: SshOptions): Promise<CommandResult> {
  options.redactor?.add(options.ssh.privateKey);
  const started = options.clock.now();
  const endAt = started + options.timeoutMs;
  const { client, fingerprint } = await connectSsh(options, endAt);
  try {
    const outcome = await runOn(client, options, endAt);
    return {
      stdout: outcome.stdout.text(),
      stderr: outcome.stderr.text(),
      exitCode: outcome.exitCode,
      ...(outcome.signal === undefined ? {} : { signal: outcome.signal }),
      durationMs: options.clock.now() - started,
      truncated: outcome.stdout.truncated || outcome.stderr.truncated,
      hostFingerprint: fingerprint,
    };
  } catch (error) {
    if (error instanceof ExecTimeoutError || error instanceof ExecError) throw error;
    throw new ExecError('protocol', `Running the command on ${options.label} failed: ${String(error)}.`);
  } finally {
    client.end();
  }
}

interface Outcome {
  stdout: CappedOutput;
  stderr: CappedOutput;
  exitCode: number | null;
  signal?: string;
}

function runOn(client: Client, options: SshOptions, endAt: number): Promise<Outcome> {
  const outcome: Outcome = {
    // Secrets are masked before the cap cuts, so a cut never shows the first half of one.
    stdout: new CappedOutput(options.maxOutputBytes, options.redactor),
    stderr: new CappedOutput(options.maxOutputBytes, options.redactor),
    exitCode: null,
  };
  const pidLine = new PidLine();
  let reported = false;
  return new Promise((resolve, reject) => {
    const stop = new AbortController();
    let channel: ClientChannel | undefined;
    let done = false;
    let timedOut = false;
    /** Once the timeout has struck, only it settles the run: the kill makes the channel close meanwhile. */
    const finish = (error?: Error, fromTimeout = false) => {
      if (done || (timedOut && !fromTimeout)) return;
      done = true;
      stop.abort();
      options.signal?.removeEventListener('abort', timeOut);
      if (error) reject(error);
      else resolve(outcome);
    };
    async function timeOut() {
      if (done || timedOut) return;
      timedOut = true;
      const partial = {
        stdout: outcome.stdout.cutText(),
        stderr: outcome.stderr.cutText(),
        truncated: isTruncated(outcome),
      };
      if (pidLine.pid !== undefined) await killRemote(client, pidLine.pid, options);
      channel?.close();
      finish(
        new ExecTimeoutError(
          `The command on ${options.label} did not finish within ${seconds(options.timeoutMs)} and was stopped.`,
          partial,
          {
            hint: 'Raise `timeout` (at most 900 s), or start long work in the background with its input and output redirected, so the session can end: nohup COMMAND > job.log 2>&1 < /dev/null &',
          },
        ),
        true,
      );
    }
    options.signal?.addEventListener('abort', timeOut, { once: true });
    options.clock.sleep(Math.max(0, endAt - options.clock.now()), stop.signal).then(timeOut, () => undefined);

    client.on('error', (error) => finish(disconnected(options, error.message)));
    client.on('close', () => finish(reported ? undefined : disconnected(options, 'the connection closed')));
    client.exec(remoteCommandLine(options.command), (error, opened) => {
      if (error) {
        finish(new ExecError('protocol', `${options.label} would not start the command: ${error.message}.`));
        return;
      }
      channel = opened;
      opened.end();
      opened.on('data', (chunk: Buffer) => outcome.stdout.append(pidLine.take(chunk)));
      opened.stderr.on('data', (chunk: Buffer) => outcome.stderr.append(chunk));
      opened.on('exit', (code: number | null, signal?: string) => {
        reported = true;
        if (typeof code === 'number') outcome.exitCode = code;
        else if (signal) outcome.signal = signal.replace(/^SIG/, '');
      });
      opened.on('close', () => {
        outcome.stdout.append(pidLine.flush());
        finish(reported ? undefined : disconnected(options, 'the channel closed'));
      });
    });
  });
}

/** Kills the command's process group from a second channel; bounded, and best effort by nature. */
function killRemote(client: Client, pid: number, options: SshOptions): Promise<void> {
  const stop = new AbortController();
  return new Promise<void>((resolve) => {
    const done = () => {
      stop.abort();
      resolve();
    };
    options.clock.sleep(KILL_WAIT_MS, stop.signal).then(done, () => undefined);
    try {
      client.exec(killLine(pid), (error, channel) => {
        if (error) return done();
        channel.on('close', done);
        channel.resume();
        channel.stderr.resume();
        channel.end();
      });
    } catch {
      done();
    }
  });
}

/** How long a timed-out run waits for the kill to be confirmed before it closes the connection anyway. */
const KILL_WAIT_MS = 2_000;

function isTruncated(outcome: Outcome): boolean {
  return outcome.stdout.truncated || outcome.stderr.truncated;
}

function disconnected(options: SshOptions, why: string): ExecError {
  return new ExecError(
    'disconnected',
    `The SSH connection to ${options.label} at ${endpointOf(options)} ended before the command reported its exit status (${why}).`,
    { hint: 'The droplet may have rebooted or powered off; check it and run the command again.' },
  );
}
