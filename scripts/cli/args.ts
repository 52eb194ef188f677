import { InputError } from '../../lib/errors.js';

/** Flags the CLI itself consumes; everything else becomes operation input. */
export interface CliFlags {
  json: boolean;
  wait: boolean | undefined;
  timeoutMs: number | undefined;
  debug: boolean;
  help: boolean;
}

export interface ParsedArgs {
  op: string | undefined;
  input: Record<string, string | boolean>;
  flags: CliFlags;
}

const CLI_FLAGS = new Set(['json', 'wait', 'no-wait', 'timeout', 'debug', 'help']);

/**
 * `<op> [--name value | --name=value | --flag] …`: names are kebab- or snake-case and reach the
 * operation as snake_case (`--dry-run` → `dry_run`), values stay strings for the schema to coerce.
 */
export function parseArgs(argv: readonly string[]): ParsedArgs {
  const flags: CliFlags = { json: false, wait: undefined, timeoutMs: undefined, debug: false, help: false };
  const input: Record<string, string | boolean> = {};
  let op: string | undefined;
  // A flag given twice must not quietly take its last value (`--env staging --env production`).
  const given = new Set<string>();
  const once = (name: string, setting: string) => {
    if (given.has(setting)) {
      throw new InputError(
        'The command line',
        [{ path: setting, message: `--${name} is given more than once` }],
        {
          hint: 'Give each flag once.',
        },
      );
    }
    given.add(setting);
  };
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!;
    if (!token.startsWith('--')) {
      if (op !== undefined) throw usage(`unexpected argument "${token}"`);
      op = token;
      continue;
    }
    const [rawName, inlineValue] = splitOnce(token.slice(2), '=');
    const next = argv[i + 1];
    const takesNext = inlineValue === undefined && next !== undefined && !next.startsWith('--');
    const value: string | boolean = inlineValue ?? (takesNext ? next : true);
    if (takesNext) i++;
    if (rawName === '') throw usage('empty flag name "--"');
    if (CLI_FLAGS.has(rawName)) {
      once(rawName, rawName === 'no-wait' ? 'wait' : rawName);
      applyCliFlag(flags, rawName, value);
      continue;
    }
    const field = rawName.replaceAll('-', '_');
    once(rawName, field);
    input[field] = value;
  }
  return { op, input, flags };
}

function applyCliFlag(flags: CliFlags, name: string, value: string | boolean): void {
  const on = value === true || value === 'true';
  if (name === 'json') flags.json = on;
  else if (name === 'wait') flags.wait = on;
  else if (name === 'no-wait') flags.wait = !on;
  else if (name === 'debug') flags.debug = on;
  else if (name === 'help') flags.help = on;
  else if (name === 'timeout') flags.timeoutMs = parseDuration(value);
}

/** `90`, `90s`, `5m`, `1500ms` → milliseconds. */
export function parseDuration(value: string | boolean): number {
  const match = typeof value === 'string' ? /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(value.trim()) : null;
  if (!match) throw usage('--timeout takes a duration such as 90s, 5m or 1500ms');
  const amount = Number(match[1]);
  const unit = match[2] ?? 's';
  const ms = unit === 'ms' ? amount : unit === 'm' ? amount * 60_000 : amount * 1000;
  if (ms <= 0 || ms > 24 * 3_600_000) throw usage('--timeout must be between 1ms and 24h');
  return ms;
}

function splitOnce(text: string, separator: string): [string, string | undefined] {
  const at = text.indexOf(separator);
  return at < 0 ? [text, undefined] : [text.slice(0, at), text.slice(at + 1)];
}

function usage(message: string): InputError {
  return new InputError('The command line', [{ path: 'arguments', message }], {
    hint: 'Run with --help to see the operations and their flags.',
  });
}
