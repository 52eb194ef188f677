/**
 * `npm run invoke -- <op> [--name value …] [--json] [--timeout 10m] [--debug]`
 * Runs an operation locally through the same lib/ops code the functions run.
 * Exit codes: 0 done, 1 the operation failed (or ran out of time), 2 invalid input or configuration.
 */
import { systemClock } from '../lib/clock.js';
import { readEnvironment } from '../lib/config/env.js';
import { InputError } from '../lib/errors.js';
import { operations } from '../lib/ops/index.js';
import { runOperation } from '../lib/ops/run.js';
import { exitCodeOf } from '../lib/ops/types.js';
import { type ParsedArgs, parseArgs } from './cli/args.js';
import { humanLogLine, progressPrinter, renderError, renderReport, resumeTokenOf } from './cli/output.js';

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

async function main(argv: readonly string[]): Promise<number> {
  let args: ParsedArgs = {
    op: undefined,
    input: {},
    flags: { json: false, wait: undefined, timeoutMs: undefined, debug: false, help: false },
  };
  try {
    args = parseArgs(argv);
    if (args.flags.help || args.op === undefined) {
      process.stdout.write(helpText());
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
    const stderr = process.stderr;
    const report = await runOperation(operation, args.input, {
      envSource: readEnvironment({ cwd: process.cwd(), processEnv: process.env }),
      cwd: process.cwd(),
      clock: systemClock,
      random: Math.random,
      logSink: (line) => stderr.write(args.flags.json ? `${line}\n` : humanLogLine(line)),
      timeoutMs: args.flags.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      onProgress: args.flags.json
        ? undefined
        : progressPrinter({ write: (t) => stderr.write(t), isTTY: stderr.isTTY }),
    });
    if (!args.flags.json && stderr.isTTY) stderr.write('\r\x1b[2K');
    process.stdout.write(
      args.flags.json ? `${JSON.stringify(report, null, 2)}\n` : renderReport(report, operation.render),
    );
    if (report.status === 'in_progress') {
      const token = resumeTokenOf(report);
      const again =
        token === undefined ? 'the same command again' : `the same command again with --resume ${token}`;
      process.stderr.write(`The operation is still in progress: run ${again} to continue.\n`);
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
      process.stdout.write(`${JSON.stringify({ error: body }, null, 2)}\n`);
    }
    process.stderr.write(renderError(error, args.flags.debug));
    return (error as { exitCode?: number }).exitCode ?? 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
