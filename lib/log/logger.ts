/**
 * Structured JSON-lines logger. Each line is one JSON object `{ time, level, msg, ...fields }`,
 * serialised first and then redacted as text, so a secret nested anywhere (a field of a field, an
 * Error's message, a URL query) is masked in the exact form it would have been printed.
 */
import type { Clock } from '../clock.js';
import type { Redactor } from './redact.js';
import { type JsonValue, toJsonValue } from './serialize.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** Writes at `info` whatever the threshold: for records that must never be filtered out (audit). */
  always(msg: string, fields?: LogFields): void;
  /** A logger whose lines all carry these fields too. */
  child(fields: LogFields): Logger;
  /** The redactor every line goes through, for callers that keep data the log also shows. */
  readonly redactor: Redactor;
}

export interface LoggerOptions {
  /** Receives each finished line (no trailing newline). */
  sink: (line: string) => void;
  level: LogLevel;
  redactor: Redactor;
  clock: Clock;
  base?: LogFields;
  /** Include Error stacks in lines; off by default. */
  stacks?: boolean;
}

/** Writes to standard output, which DigitalOcean Functions keeps as the activation's log. */
export const stdoutSink = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

export function createLogger(options: LoggerOptions): Logger {
  return build(options, options.base ?? {});
}

export function isLogLevel(value: unknown): value is LogLevel {
  return typeof value === 'string' && value in RANK;
}

function build(options: LoggerOptions, base: LogFields): Logger {
  const threshold = RANK[options.level];
  const write = (level: LogLevel, msg: string, fields: LogFields | undefined, force: boolean) => {
    if (!force && RANK[level] < threshold) return;
    options.sink(formatLine(options, level, msg, { ...base, ...fields }));
  };
  return {
    debug: (msg, fields) => write('debug', msg, fields, false),
    info: (msg, fields) => write('info', msg, fields, false),
    warn: (msg, fields) => write('warn', msg, fields, false),
    error: (msg, fields) => write('error', msg, fields, false),
    always: (msg, fields) => write('info', msg, fields, true),
    child: (fields) => build(options, { ...base, ...fields }),
    redactor: options.redactor,
  };
}

function formatLine(options: LoggerOptions, level: LogLevel, msg: string, fields: LogFields): string {
  const time = new Date(options.clock.now()).toISOString();
  // time, level and msg come first and cannot be overridden by a field of the same name.
  const record: Record<string, JsonValue> = { time, level, msg };
  const converted = toJsonValue(fields, { stacks: options.stacks ?? false });
  if (converted !== null && typeof converted === 'object' && !Array.isArray(converted)) {
    for (const [key, value] of Object.entries(converted)) if (!(key in record)) record[key] = value;
  }
  const raw = JSON.stringify(record);
  const masked = options.redactor.redact(raw);
  if (masked === raw || isJson(masked)) return masked;
  // A mask that cut through JSON syntax (a secret spanning an escape sequence): redact the values
  // one by one instead, then mask the text again.
  const retried = options.redactor.redact(JSON.stringify(options.redactor.redactDeep(record)));
  if (isJson(retried)) return retried;
  return JSON.stringify({ time, level, msg: '[log line withheld: it could not be redacted safely]' });
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
