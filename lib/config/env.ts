/**
 * The environment: `.env` plus the process environment, validated once into `Env` before any API
 * call. Every problem is reported at once, and no message ever contains a value: several are secrets.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'dotenv';
import * as z from 'zod';
import { ConfigError, type Problem } from '../errors.js';
import { customError, friendlyError, zodProblems } from './input.js';
import { environmentNameSchema } from './names.js';
import { type DropletRegion, dropletRegionSchema } from './regions.js';

export { APP_REGION_BY_DROPLET_REGION, appRegionOf, isDropletRegion } from './regions.js';

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const DEFAULT_API_URL = 'https://api.digitalocean.com';
/** DigitalOcean's documented per-token limit: 250 requests a minute (and 5,000 an hour). */
export const DEFAULT_RATE_LIMIT_PER_MINUTE = 250;
/** Personal access, OAuth and refresh tokens, as doctl accepts them. */
export const TOKEN_PATTERN = /^(dop|doo|dor)_v1_[a-f0-9]{64}$/;

/** Every variable read here, in the order problems are listed (and `.env.example` documents them). */
export const ENV_VARIABLES = [
  'DIGITALOCEAN_TOKEN',
  'DIGITALOCEAN_ACCESS_TOKEN',
  'DIGITALOCEAN_API_URL',
  'DIGITALOCEAN_CA_FILE',
  'DO_REGION',
  'DO_SSH_PRIVATE_KEY',
  'DO_SSH_PRIVATE_KEY_FILE',
  'DO_SSH_USER',
  'DO_SSH_PORT',
  'DO_SSH_HOST_FINGERPRINT',
  'OPS_WEB_SECRET',
  'BASE2_MANIFEST',
  'LOG_LEVEL',
  'DO_RATE_LIMIT_PER_MINUTE',
  'DEPLOY_ENV',
] as const;

export interface Env {
  token: string;
  apiUrl: string;
  /** A PEM bundle trusted in addition to the system roots (the emulator's CA, a corporate proxy). */
  caFile?: string;
  /** Overrides the manifest's region. */
  region?: DropletRegion;
  ssh: { privateKey?: string; user: string; port: number; hostFingerprint?: string };
  webSecret?: string;
  manifestPath: string;
  logLevel: LogLevel;
  rateLimitPerMinute: number;
  defaultEnvironment?: string;
}

export interface ReadEnvironmentOptions {
  cwd: string;
  processEnv: Record<string, string | undefined>;
  /** Defaults to `.env` in `cwd`, which may be absent; a file named here must exist. */
  envFile?: string;
}

/** `.env` (parsed, never loaded into process.env) overlaid by the process environment. */
export function readEnvironment(options: ReadEnvironmentOptions): Record<string, string | undefined> {
  const file = resolve(options.cwd, options.envFile ?? '.env');
  let fromFile: Record<string, string> = {};
  if (existsSync(file)) fromFile = parse(readFileSync(file));
  else if (options.envFile !== undefined) {
    throw new ConfigError('The environment', [{ path: file, message: 'the env file does not exist' }]);
  }
  const fromProcess = Object.entries(options.processEnv).filter(([, value]) => value !== undefined);
  return { ...fromFile, ...Object.fromEntries(fromProcess) };
}

const tokenSchema = z.string().superRefine((value, ctx) => {
  if (TOKEN_PATTERN.test(value)) return;
  const prefixed = /^(dop|doo|dor)_v1_/.test(value);
  ctx.addIssue({
    code: 'custom',
    message: prefixed
      ? 'must have exactly 64 lowercase hex digits after its prefix'
      : 'must be a DigitalOcean API token starting with dop_v1_ (personal access token), ' +
        'doo_v1_ (OAuth token) or dor_v1_ (refresh token), followed by 64 lowercase hex digits',
  });
});

const apiUrlSchema = z.string().transform((value, ctx) => {
  const url = URL.canParse(value) ? new URL(value) : undefined;
  if (url?.protocol === 'https:' && (url.username !== '' || url.password !== '')) {
    // The token goes in a header; a user name or password in the URL would only end up in logs.
    ctx.addIssue({
      code: 'custom',
      message: 'must not contain a user name or password: the API token is sent in a header',
    });
    return z.NEVER;
  }
  if (url?.protocol === 'https:') return url.href.replace(/\/+$/, '');
  ctx.addIssue({
    code: 'custom',
    message:
      url?.protocol === 'http:'
        ? 'https is required: an http:// URL would send the API token in clear text'
        : 'must be an https:// URL such as https://api.digitalocean.com',
  });
  return z.NEVER;
});

/** A file's text with its resolved path; `text` is undefined when it is not a readable regular file. */
function readTextFile(cwd: string | undefined, value: string): { path: string; text: string | undefined } {
  const path = cwd === undefined ? value : resolve(cwd, value);
  try {
    return { path, text: statSync(path).isFile() ? readFileSync(path, 'utf8') : undefined };
  } catch {
    return { path, text: undefined };
  }
}

const NOT_A_FILE = 'the file does not exist or cannot be read';

function pemFileSchema(cwd: string | undefined) {
  return z.string().transform((value, ctx) => {
    const { path, text } = readTextFile(cwd, value);
    if (text === undefined) ctx.addIssue({ code: 'custom', message: NOT_A_FILE });
    else if (!text.includes('-----BEGIN CERTIFICATE-----')) {
      ctx.addIssue({ code: 'custom', message: 'must be a PEM file with at least one CERTIFICATE block' });
    }
    return path;
  });
}

const PRIVATE_KEY_PATTERN = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]+-----END [A-Z0-9 ]*PRIVATE KEY-----/;
const PRIVATE_KEY_MESSAGE =
  'must be a PEM private key (-----BEGIN … PRIVATE KEY----- … -----END … PRIVATE KEY-----)';

/** CI secret stores and Functions settings hold one line, so `\n` escapes stand for newlines. */
const privateKeySchema = z
  .string()
  .transform((value) => `${value.replaceAll('\\n', '\n').trim()}\n`)
  .refine((value) => PRIVATE_KEY_PATTERN.test(value), PRIVATE_KEY_MESSAGE);

function privateKeyFileSchema(cwd: string | undefined) {
  return z.string().transform((value, ctx) => {
    const { text } = readTextFile(cwd, value);
    if (text === undefined) ctx.addIssue({ code: 'custom', message: NOT_A_FILE });
    else if (!PRIVATE_KEY_PATTERN.test(text)) ctx.addIssue({ code: 'custom', message: PRIVATE_KEY_MESSAGE });
    return text ?? '';
  });
}

function integerSchema(min: number, max: number, message: string) {
  return z
    .string()
    .regex(/^\d+$/, message)
    .transform(Number)
    .refine((value) => value >= min && value <= max, message);
}

export interface LoadEnvOptions {
  /** Relative file paths (CA bundle, key file) are resolved against it; otherwise against the process's. */
  cwd?: string;
}

function envSchema(cwd: string | undefined) {
  return z.object({
    DIGITALOCEAN_TOKEN: tokenSchema.optional(),
    DIGITALOCEAN_ACCESS_TOKEN: tokenSchema.optional(),
    DIGITALOCEAN_API_URL: apiUrlSchema.default(DEFAULT_API_URL),
    DIGITALOCEAN_CA_FILE: pemFileSchema(cwd).optional(),
    DO_REGION: dropletRegionSchema.optional(),
    DO_SSH_PRIVATE_KEY: privateKeySchema.optional(),
    DO_SSH_PRIVATE_KEY_FILE: privateKeyFileSchema(cwd).optional(),
    DO_SSH_USER: z
      .string()
      .regex(/^[a-z_][a-z0-9_-]{0,31}$/, 'must be a Unix user name such as root')
      .default('root'),
    DO_SSH_PORT: integerSchema(1, 65535, 'must be a port number between 1 and 65535').default(22),
    // Each droplet has its own host key: several may be pinned, separated by commas.
    DO_SSH_HOST_FINGERPRINT: z
      .string()
      .max(4096, 'must be at most 4096 characters (at most about 75 fingerprints)')
      .regex(
        /^\s*SHA256:[A-Za-z0-9+/]{43}=?\s*(?:,\s*SHA256:[A-Za-z0-9+/]{43}=?\s*)*$/,
        'must be OpenSSH fingerprints such as SHA256:<43 base64 characters>, separated by commas',
      )
      .optional(),
    OPS_WEB_SECRET: z
      .string()
      .min(32, 'must be at least 32 characters long (generate one with `openssl rand -hex 32`)')
      .optional(),
    BASE2_MANIFEST: z.string().default('deployment.yml'),
    LOG_LEVEL: z.enum(LOG_LEVELS, customError(`must be one of ${LOG_LEVELS.join(', ')}`)).default('info'),
    DO_RATE_LIMIT_PER_MINUTE: integerSchema(
      1,
      Number.MAX_SAFE_INTEGER,
      'must be a positive whole number of requests',
    ).default(DEFAULT_RATE_LIMIT_PER_MINUTE),
    DEPLOY_ENV: environmentNameSchema.optional(),
  });
}

/** Rules that span variables; checked on the raw values so they are reported alongside the rest. */
function crossProblems(raw: Record<string, string>): Problem[] {
  const problems: Problem[] = [];
  const { DIGITALOCEAN_TOKEN: token, DIGITALOCEAN_ACCESS_TOKEN: alias } = raw;
  if (token === undefined && alias === undefined) {
    problems.push({
      path: 'DIGITALOCEAN_TOKEN',
      message:
        'is required (DIGITALOCEAN_ACCESS_TOKEN is accepted too): create a personal access token at ' +
        'https://cloud.digitalocean.com/account/api/tokens',
    });
  } else if (token !== undefined && alias !== undefined && token !== alias) {
    problems.push({
      path: 'DIGITALOCEAN_TOKEN',
      message: 'and DIGITALOCEAN_ACCESS_TOKEN are both set, to different tokens: set only one',
    });
  }
  if (raw.DO_SSH_PRIVATE_KEY !== undefined && raw.DO_SSH_PRIVATE_KEY_FILE !== undefined) {
    problems.push({
      path: 'DO_SSH_PRIVATE_KEY',
      message: 'and DO_SSH_PRIVATE_KEY_FILE are both set: set only one',
    });
  }
  return problems;
}

/** Blank values count as unset: Functions settings and CI templates often render missing values as "". */
function presentValues(source: Record<string, string | undefined>): Record<string, string> {
  const present: Record<string, string> = {};
  for (const name of ENV_VARIABLES) {
    const value = source[name]?.trim();
    if (value) present[name] = value;
  }
  return present;
}

function byVariableOrder(a: Problem, b: Problem): number {
  const rank = (problem: Problem) => ENV_VARIABLES.indexOf(problem.path as (typeof ENV_VARIABLES)[number]);
  return rank(a) - rank(b);
}

/** Validate the environment, or throw a ConfigError naming every missing or malformed variable. */
export function loadEnv(source: Record<string, string | undefined>, options: LoadEnvOptions = {}): Env {
  const raw = presentValues(source);
  const result = envSchema(options.cwd).safeParse(raw, { error: friendlyError });
  const problems = [
    ...crossProblems(raw),
    ...(result.success ? [] : zodProblems(result.error, 'environment')),
  ];
  if (problems.length > 0 || !result.success) {
    throw new ConfigError('The environment', problems.sort(byVariableOrder), {
      hint: 'Set the variables in .env (see .env.example) or in the process environment.',
    });
  }
  const vars = result.data;
  return {
    token: (vars.DIGITALOCEAN_TOKEN ?? vars.DIGITALOCEAN_ACCESS_TOKEN)!,
    apiUrl: vars.DIGITALOCEAN_API_URL,
    caFile: vars.DIGITALOCEAN_CA_FILE,
    region: vars.DO_REGION,
    ssh: {
      privateKey: vars.DO_SSH_PRIVATE_KEY ?? vars.DO_SSH_PRIVATE_KEY_FILE,
      user: vars.DO_SSH_USER,
      port: vars.DO_SSH_PORT,
      hostFingerprint: vars.DO_SSH_HOST_FINGERPRINT,
    },
    webSecret: vars.OPS_WEB_SECRET,
    manifestPath: vars.BASE2_MANIFEST,
    logLevel: vars.LOG_LEVEL,
    rateLimitPerMinute: vars.DO_RATE_LIMIT_PER_MINUTE,
    defaultEnvironment: vars.DEPLOY_ENV,
  };
}

/**
 * The values a logger must redact. A multi-line key is also listed JSON-escaped, the form it takes
 * inside a serialized log line or result.
 */
export function secretsOf(env: Env): string[] {
  const key = env.ssh.privateKey;
  const secrets = [
    env.token,
    key,
    key === undefined ? undefined : JSON.stringify(key).slice(1, -1),
    env.webSecret,
  ];
  return [...new Set(secrets.filter((secret): secret is string => secret !== undefined))];
}
