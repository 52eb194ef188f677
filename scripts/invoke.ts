/**
 * `npm run invoke -- <op> [--name value …] [--json] [--timeout 10m] [--debug]`
 * Runs an operation locally through the same lib/ops code the functions run.
 * Exit codes: 0 done, 1 the operation failed (or ran out of time), 2 invalid input or configuration,
 * 130 interrupted (Ctrl-C), 143 terminated (SIGTERM), 141 its output was closed (a broken pipe).
 */
import { systemClock } from '../lib/clock.js';
import { readEnvironment } from '../lib/config/env.js';
import { createDeadline } from '../lib/deadline.js';
import { InputError } from '../lib/errors.js';
import { operations } from '../lib/ops/index.js';
import { runOperation } from '../lib/ops/run.js';
import { exitCodeOf } from '../lib/ops/types.js';
import { type ParsedArgs, parseArgs } from './cli/args.js';
import { INTERRUPT_EXIT, type InterruptHost, interruptHost } from './cli/interrupt.js';
import { interruptedText } from './cli/interrupted.js';
import { humanLogLine, progressPrinter, renderError, renderReport, resumeTokenOf } from './cli/output.js';
import { guardedStreams } from './cli/streams.js';

const DEFAULT_TIMEOUT_MS = 15 * 60_000;

function helpText(): string {
  const ops = Object.values(operations)
    .map((op) => `  ${op.name.padEnd(10)} ${op.summary}`)
    .join('\n');
  return `usage: npm run invoke -- <operation> [--name value …] [--json] [--timeout 10m] [--debug]

operations:
${ops}

flags:
  --json        print exactly one JSON document (the result) on stdout; logs go to stderr as JSON lines
  --timeout D   stop waiting after D (90s, 5m; default 15m); the operation can be run again to continue
  --resume T    continue an operation that answered in_progress with resume token T (it kept the lock)
  --debug       show stack traces for internal errors
`;
}

// A closed stdout or stderr (`… | head -1`) is an interrupt like Ctrl-C, not a crash mid-change.
let answered = false;
const streams = guardedStreams(() => {
  host?.trigger('EPIPE');
  // Broken only by the answer itself: it did not reach its reader, so this is no success.
  if (answered) process.exitCode = INTERRUPT_EXIT.EPIPE;
});
const stdout = streams.stdout;
let host: InterruptHost | undefined;

async function main(argv: readonly string[]): Promise<number> {
  let args: ParsedArgs = {
    op: undefined,
    input: {},
    flags: { json: false, wait: undefined, timeoutMs: undefined, debug: false, help: false },
  };
  try {
    args = parseArgs(argv);
    if (args.flags.help || args.op === undefined) {
      stdout.write(helpText());
      return args.op === undefined && !args.flags.help ? 2 : 0;
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
    const stderr = streams.stderr;
    const timeoutMs = args.flags.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const env = typeof args.input.env === 'string' ? args.input.env : undefined;
    host = interruptHost({
      say: (text) => stderr.write(text),
      exit: (code) => process.exit(code),
      now: () => Date.now(),
      subject: env === undefined ? args.op : `${args.op} --env ${env}`,
    });
    const interrupted = host;
    const deadline = interrupted.deadline(createDeadline(systemClock, timeoutMs));
    const report = await runOperation(operation, args.input, {
      envSource: readEnvironment({ cwd: process.cwd(), processEnv: process.env }),
      cwd: process.cwd(),
      clock: systemClock,
      random: Math.random,
      logSink: (line) => stderr.write(args.flags.json ? `${line}\n` : humanLogLine(line)),
      deadline,
      interrupt: interrupted.interrupt,
      onProgress: args.flags.json
        ? undefined
        : progressPrinter({ write: (t) => stderr.write(t), isTTY: stderr.isTTY }),
    });
    if (!args.flags.json && stderr.isTTY) stderr.write('\r\x1b[2K');
    stdout.write(
      args.flags.json ? `${JSON.stringify(report, null, 2)}\n` : renderReport(report, operation.render),
    );
    if (interrupted.cause !== undefined) {
      const facts = {
        op: operation.name,
        cause: interrupted.cause,
        report,
        held: interrupted.interrupt.held,
      };
      if (interrupted.cause !== 'EPIPE' || facts.held.size > 0)
        stderr.write(interruptedText({ ...facts, env: args.input.env }));
      return INTERRUPT_EXIT[interrupted.cause];
    }
    if (report.status === 'in_progress') {
      const token = resumeTokenOf(report);
      const again =
        token === undefined ? 'the same command again' : `the same command again with --resume ${token}`;
      streams.stderr.write(`The operation is still in progress: run ${again} to continue.\n`);
      return 1;
    }
    return exitCodeOf(report.status);
  } catch (error) {
    // A command line refused as a whole still asked for JSON when it said --json.
    if (args.flags.json || argv.includes('--json')) {
      const body =
        error instanceof Error && 'toJSON' in error
          ? (error as { toJSON(): unknown }).toJSON()
          : { kind: 'internal', message: String(error instanceof Error ? error.message : error) };
      stdout.write(`${JSON.stringify({ error: body }, null, 2)}\n`);
    }
    streams.stderr.write(renderError(error, args.flags.debug));
    const cause = host?.cause;
    if (cause !== undefined && args.op !== undefined) {
      const held = host!.interrupt.held;
      if (cause !== 'EPIPE' || held.size > 0)
        streams.stderr.write(
          interruptedText({ op: args.op, cause, report: undefined, held, env: args.input.env }),
        );
      return INTERRUPT_EXIT[cause];
    }
    return (error as { exitCode?: number }).exitCode ?? 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
answered = true;
host?.dispose();
// Everything is answered. A connection still in its TLS handshake (Node's own fetch, used without a
// CA file, cannot cut one short) would otherwise hold the process up to 10 s more: once the output
// has been handed to the system, the process ends.
await Promise.all([flushed(process.stdout, streams.stdout), flushed(process.stderr, streams.stderr)]);
setTimeout(() => process.exit(), 100).unref();

function flushed(stream: NodeJS.WriteStream, guarded: { broken: boolean }): Promise<void> {
  if (guarded.broken) return Promise.resolve();
  return new Promise((resolve) => stream.write('', () => resolve()));
}
