/**
 * `npm run remote -- <op> [--name value …] [--json] [--wait|--no-wait] [--timeout 10m] [--debug]`:
 * runs an operation in the deployed control plane and exits like `npm run invoke`: 0 done, 1 failed
 * (or still in progress when --timeout ran out), 2 invalid input or configuration, and 2 when the
 * web secret is refused.
 *
 * Waiting is the default, on a terminal and off it: `in_progress` is not a result a person or a CI
 * job can act on, and each further call only continues from DigitalOcean's state. --no-wait makes
 * exactly one call. Waiting stops early, exit 1, when calls make no progress (remote-call.ts).
 */
import { InputError } from '../../lib/errors.js';
import { DEFAULT_LOCK_TTL_MS } from '../../lib/lock/lock.js';
import { operations } from '../../lib/ops/index.js';
import { exitCodeOf, type OpReport } from '../../lib/ops/types.js';
import { parseArgs } from '../cli/args.js';
import { INTERRUPT_EXIT, type InterruptCause } from '../cli/interrupt.js';
import { progressPrinter, renderReport, resumeTokenOf } from '../cli/output.js';
import { type CliIo, failWith } from './cli-io.js';
import { callRemote, describeProgress, type RemoteOptions, type RemoteOutcome } from './remote-call.js';
import { loadRemoteEnv } from './remote-env.js';

export interface RemoteCliOptions {
  pauses?: RemoteOptions['pauses'];
  stall?: RemoteOptions['stall'];
  /** Aborted on Ctrl-C or SIGTERM (scripts/remote.ts): stop calling and say what state things are in. */
  stop?: AbortSignal;
  /** Which signal it was, for the exit code (130 or 143). */
  stopCause?: () => InterruptCause | undefined;
}

const DEFAULT_TIMEOUT_MS = 15 * 60_000;
/** Error kinds that mean "fix the call", as the tool's own InputError and ConfigError do. */
const USAGE_KINDS = new Set(['auth', 'config', 'input']);

export function remoteHelp(): string {
  const ops = Object.values(operations)
    .map((op) => `  ${op.name.padEnd(10)} ${op.summary}`)
    .join('\n');
  return `usage: npm run remote -- <operation> [--name value …] [--json] [--wait|--no-wait] [--timeout 10m] [--debug]

Runs an operation in the deployed control plane (OPS_WEB_URL, with OPS_WEB_SECRET; bootstrap writes
both to .env). The flags after the operation are its input, as for \`npm run invoke\`.

operations:
${ops}

flags:
  --json        print exactly one JSON document (the operation's report) on stdout
  --wait        call again while the operation answers in_progress (the default), passing back
                its resume token so it continues under the lock it kept
  --resume T    continue an operation that answered in_progress with resume token T
  --no-wait     make one call and report what it answered
  --timeout D   stop calling after D (90s, 5m; default 15m); calling again later continues.
                Waiting also stops, with exit 1, when calls make no progress: 3 calls in a row
                without an answer over 90 s, or in_progress with the same progress for 5 minutes
  --debug       show stack traces for internal errors
`;
}

export async function runRemoteCli(
  argv: readonly string[],
  io: CliIo,
  options: RemoteCliOptions = {},
): Promise<number> {
  let flags = { json: false, debug: false };
  try {
    const args = parseArgs(argv);
    flags = args.flags;
    if (args.flags.help || args.op === undefined) {
      io.stdout.write(remoteHelp());
      return args.flags.help ? 0 : 2;
    }
    const operation = operations[args.op as keyof typeof operations];
    if (!operation) {
      throw new InputError('The command line', [
        {
          path: 'operation',
          message: `unknown operation "${args.op}"; choose one of ${Object.keys(operations).join(', ')}`,
        },
      ]);
    }
    const env = loadRemoteEnv(io.source, io.cwd);
    const stderr = io.stderr;
    const outcome = await callRemote({
      op: operation.name,
      input: args.input,
      env,
      clock: io.clock,
      random: io.random,
      wait: args.flags.wait ?? true,
      timeoutMs: args.flags.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      ...(options.pauses ? { pauses: options.pauses } : {}),
      ...(options.stall ? { stall: options.stall } : {}),
      ...(args.flags.json ? {} : { onProgress: progressPrinter(stderr) }),
      ...(options.stop ? { stop: options.stop } : {}),
    });
    if (!args.flags.json && stderr.isTTY) stderr.write('\r\x1b[2K');

    if (outcome.kind === 'report') {
      const { report } = outcome;
      io.stdout.write(
        args.flags.json ? `${JSON.stringify(report, null, 2)}\n` : render(report, operation.render),
      );
      if (report.status === 'in_progress') {
        const token = resumeTokenOf(report);
        const again =
          token === undefined ? 'the same command again' : `the same command again with --resume ${token}`;
        stderr.write(
          `The operation is still in progress after ${outcome.calls} call(s): run ${again} to continue.\n`,
        );
        return 1;
      }
      return exitCodeOf(report.status);
    }
    if (outcome.kind === 'stalled') {
      if (outcome.reason === 'unchanged') {
        if (args.flags.json) io.stdout.write(`${JSON.stringify(outcome.report, null, 2)}\n`);
        else io.stdout.write(render(outcome.report, operation.render));
      } else if (args.flags.json) {
        io.stdout.write(`${JSON.stringify({ status: 'in_progress', detail: outcome.detail }, null, 2)}\n`);
      }
      stderr.write(`${stalledMessage(operation.name, outcome)}\n`);
      return 1;
    }
    if (outcome.kind === 'not_ready') {
      if (args.flags.json)
        io.stdout.write(`${JSON.stringify({ status: 'in_progress', detail: outcome.detail }, null, 2)}\n`);
      stderr.write(
        `The ${operation.name} function has not answered yet: ${outcome.detail}. Run the same command again to continue.\n`,
      );
      return 1;
    }
    if (outcome.kind === 'interrupted') {
      stderr.write(`${interruptedRemoteMessage(operation.name, args.input.env, outcome)}\n`);
      return INTERRUPT_EXIT[options.stopCause?.() ?? 'SIGINT'];
    }
    const { error } = outcome;
    if (args.flags.json) io.stdout.write(`${JSON.stringify({ error }, null, 2)}\n`);
    stderr.write(`error: ${error.message}${error.hint ? ` ${error.hint}` : ''}\n`);
    return USAGE_KINDS.has(error.kind) ? 2 : 1;
  } catch (error) {
    // A command line refused as a whole still asked for JSON when it said --json.
    return failWith(io, error, { ...flags, json: flags.json || argv.includes('--json') });
  }
}

/** What a person who stopped `remote` needs to know: what runs on, what stays locked, what to run. */
export function interruptedRemoteMessage(
  op: string,
  env: unknown,
  outcome: Extract<RemoteOutcome, { kind: 'interrupted' }>,
): string {
  const envFlag = typeof env === 'string' && /^[a-z0-9][a-z0-9-]*$/.test(env) ? ` --env ${env}` : '';
  const lines = [`Interrupted: stopped calling the ${op} function after ${outcome.calls} call(s).`];
  if (outcome.inFlight) {
    lines.push(
      'The call in flight runs on in DigitalOcean until its deadline; it releases the deployment lock itself, or keeps it paused for the next call.',
    );
  }
  if (outcome.resume !== undefined) {
    const minutes = Math.round(DEFAULT_LOCK_TTL_MS / 60_000);
    lines.push(
      `The deployment stays locked for this ${op} for ${minutes} minutes at most: run \`npm run remote -- ${op}${envFlag} --resume ${outcome.resume}\` (with the same flags) to continue, or let the lock expire.`,
    );
  } else {
    lines.push(
      `Run \`npm run remote -- ${op}${envFlag}\` (with the same flags) to continue from what DigitalOcean has.`,
    );
  }
  return lines.join('\n');
}

/** Why waiting stopped early, what the function last reported, and what to do. */
export function stalledMessage(op: string, outcome: Extract<RemoteOutcome, { kind: 'stalled' }>): string {
  if (outcome.reason === 'unanswered') {
    const logs = outcome.activationId
      ? ` (\`doctl serverless activations logs ${outcome.activationId}\` shows what it did)`
      : '';
    if (outcome.cutAfterMs !== undefined) {
      const cut = outcome.cutAfterMs / 1000;
      const faster = Math.max(2, Math.round(30 / Math.max(cut, 0.001)));
      return (
        `Stopped waiting: the ${op} function gave no answer on ${outcome.unanswered} calls in a row, each cut ` +
        `after ${cut.toFixed(1)} s at most where DigitalOcean gives a web call 30 s; the last: ${outcome.detail}. ` +
        `The platform's clock runs about ${faster} times faster than real time (an emulator's --time-scale), so ` +
        'every call runs into its time limit and calling again will not finish it. Restart the emulator with ' +
        `--time-scale 10 or less for npm run remote, or run the operation locally with \`npm run invoke -- ${op}\`.`
      );
    }
    return (
      `Stopped waiting: the ${op} function gave no answer on ${outcome.unanswered} calls in a row; the last: ` +
      `${outcome.detail}. Each call ran into its time limit before the operation answered, so calling again ` +
      `will not finish it. Look at where it waits${logs}, or run it locally with \`npm run invoke -- ${op}\`.`
    );
  }
  const minutes = Math.max(1, Math.round(outcome.forMs / 60_000));
  const token = resumeTokenOf(outcome.report);
  const again =
    token === undefined ? 'the same command again' : `the same command again with --resume ${token}`;
  return (
    `Stopped waiting: the ${op} operation answered in_progress ${outcome.unchanged} times over ` +
    `${minutes < 2 ? `${Math.round(outcome.forMs / 1000)} s` : `${minutes} minutes`} without its progress changing; ` +
    `it last reported: ${describeProgress(outcome.report)}. DigitalOcean seems stuck on that: check it with ` +
    `\`npm run remote -- status\` or in the control panel, then run ${again} to continue from where it is.`
  );
}

/**
 * The operation's own rendering, or the generic one when it cannot read the report: the deployed
 * functions may be another version of the code than this checkout.
 */
function render(report: OpReport, own: ((report: OpReport) => string) | undefined): string {
  try {
    return renderReport(report, own);
  } catch {
    return renderReport(report);
  }
}
