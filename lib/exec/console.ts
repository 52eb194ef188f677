/**
 * Runs one command in an App Platform component through its console: the exec URL from the API,
 * then a websocket speaking doctl's console protocol (client frames `{"op":"stdin","data"}` and
 * `{"op":"resize","width","height"}`, server frames `{"data"}`, closed with 1000 when the shell
 * exits). The console is a terminal: output and errors arrive merged (`stderr: null`), and the exit
 * code comes from the markers the typed line prints (console-line.ts).
 */
import { randomBytes } from 'node:crypto';
import type { DigitalOceanClient } from '../do/index.js';
import { toApiError } from '../do/index.js';
import { wrapCommand } from './console-line.js';
import { ConsoleTranscript } from './console-transcript.js';
import { ExecError, ExecTimeoutError, seconds } from './errors.js';
import { trustedCas } from './trust.js';
import type { CommandResult, RunBounds } from './types.js';

export interface ConsoleOptions extends RunBounds {
  client: DigitalOceanClient;
  appId: string;
  component: string;
  /** One instance of the component; App Platform picks one without it. */
  instance?: string;
  /** Names the target in sentences, e.g. `app/web of base2-staging`. */
  label: string;
  command: string;
  /** An extra CA to trust (DIGITALOCEAN_CA_FILE's content), as for the API. */
  caPem?: string;
  /** Random letters and digits for the markers; crypto-random by default. */
  nonce?: () => string;
}

/** Wide enough that the typed line rarely wraps, which some shells echo with extra carriage returns. */
const TERMINAL_SIZE = { width: 1000, height: 50 };
/** doctl sends an empty stdin frame this often so idle consoles are not cut. */
const KEEPALIVE_MS = 15_000;
/**
 * The line is typed once the console has shown something (its prompt), as a person would; a
 * shell that prints its prompt late would otherwise print it into the command's output. A console
 * that stays silent this long gets the line anyway.
 */
const PROMPT_WAIT_MS = 2_000;

export async function runConsole(options: ConsoleOptions): Promise<CommandResult> {
  const started = options.clock.now();
  const url = await execUrl(options);
  const wrapped = wrapCommand(options.command, (options.nonce ?? defaultNonce)());
  const transcript = new ConsoleTranscript(wrapped, options.maxOutputBytes, options.redactor);
  const remaining = started + options.timeoutMs - options.clock.now();
  await talk(url, options, wrapped.keys, transcript, remaining);
  return {
    stdout: transcript.text(),
    stderr: null,
    exitCode: transcript.exitCode ?? null,
    durationMs: options.clock.now() - started,
    truncated: transcript.truncated,
  };
}

function defaultNonce(): string {
  return randomBytes(12).toString('hex');
}

/** The one-time console URL; its token grants a shell, so it is registered as a secret at once. */
async function execUrl(options: ConsoleOptions): Promise<URL> {
  let raw: string | null | undefined;
  try {
    const answer = await options.client.v2.apps
      .byApp_Id(options.appId)
      .components.byComponent_name(options.component)
      .exec.get(options.instance ? { queryParameters: { instanceName: options.instance } } : undefined);
    raw = answer?.url;
  } catch (error) {
    throw toApiError(error, { action: 'open a console in', resource: options.label });
  }
  if (!raw || !URL.canParse(raw)) {
    throw new ExecError('protocol', `DigitalOcean gave no usable console URL for ${options.label}.`);
  }
  options.redactor?.add(raw);
  const url = new URL(raw);
  options.redactor?.add(url.searchParams.get('token'));
  // Only encrypted consoles: the URL carries a token and the session carries the container's secrets.
  if (url.protocol === 'https:') url.protocol = 'wss:';
  if (url.protocol !== 'wss:') {
    throw new ExecError(
      'protocol',
      `Refused the console URL for ${options.label}: it is not wss:// or https://.`,
    );
  }
  return url;
}

async function talk(
  url: URL,
  options: ConsoleOptions,
  keys: string,
  transcript: ConsoleTranscript,
  remainingMs: number,
): Promise<void> {
  const ca = trustedCas(options.caPem);
  // Loaded at the first console session, so the functions that never open one start faster.
  const { default: WebSocket } = await import('ws');
  const ws = new WebSocket(url, { ...(ca ? { ca } : {}), handshakeTimeout: Math.max(1, remainingMs) });
  const stop = new AbortController();
  const send = (frame: object) => {
    if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(frame));
  };
  return new Promise<void>((resolve, reject) => {
    let settled = false;
    const settle = (error?: Error) => {
      if (settled) return;
      settled = true;
      stop.abort();
      options.signal?.removeEventListener('abort', timeOut);
      if (error) reject(error);
      else resolve();
    };
    function timeOut() {
      if (settled) return;
      // Ctrl-C stops the command in the container; closing ends the shell.
      send({ op: 'stdin', data: '\x03' });
      ws.close(1000);
      transcript.flush();
      settle(
        new ExecTimeoutError(
          `The command in ${options.label} did not finish within ${seconds(options.timeoutMs)} and was stopped.`,
          { stdout: transcript.cutText(), stderr: null, truncated: transcript.truncated },
          {
            hint: 'Raise `timeout` (at most 900 s), or start long work in the background with its input and output redirected, so the session can end: nohup COMMAND > job.log 2>&1 < /dev/null &',
          },
        ),
      );
    }
    options.signal?.addEventListener('abort', timeOut, { once: true });
    options.clock.sleep(Math.max(0, remainingMs), stop.signal).then(timeOut, () => undefined);

    let typed = false;
    const type = () => {
      if (typed || settled) return;
      typed = true;
      send({ op: 'stdin', data: keys });
      void keepAlive(options, stop.signal, () => send({ op: 'stdin', data: '' }));
    };
    ws.on('open', () => {
      send({ op: 'resize', ...TERMINAL_SIZE });
      options.clock.sleep(PROMPT_WAIT_MS, stop.signal).then(type, () => undefined);
    });
    ws.on('message', (data) => {
      const text = frameText(data.toString());
      type();
      if (text !== undefined && transcript.push(text)) {
        ws.close(1000);
        settle();
      }
    });
    ws.on('unexpected-response', (_request, response) => {
      settle(
        new ExecError(
          'protocol',
          `The console of ${options.label} refused the connection: HTTP ${response.statusCode}.`,
          { hint: 'Console URLs are single-use and short-lived; run the command again.' },
        ),
      );
      ws.terminate();
    });
    ws.on('error', (error) =>
      settle(
        new ExecError(
          'disconnected',
          `The console connection to ${options.label} failed: ${error.message.replace(/[.\s]+$/, '')}.`,
        ),
      ),
    );
    ws.on('close', (code) =>
      settle(
        transcript.done
          ? undefined
          : new ExecError(
              'disconnected',
              `The console of ${options.label} closed (code ${code}) before the command finished.`,
              {
                hint: 'The instance may have restarted or been replaced by a new deployment; run the command again.',
              },
            ),
      ),
    );
  });
}

async function keepAlive(options: ConsoleOptions, signal: AbortSignal, ping: () => void): Promise<void> {
  for (;;) {
    try {
      await options.clock.sleep(KEEPALIVE_MS, signal);
    } catch {
      return;
    }
    ping();
  }
}

/** The text of a server frame `{"data":"…"}`; anything else carries no terminal output. */
function frameText(raw: string): string | undefined {
  try {
    const frame = JSON.parse(raw) as { data?: unknown };
    return typeof frame.data === 'string' ? frame.data : undefined;
  } catch {
    return undefined;
  }
}
