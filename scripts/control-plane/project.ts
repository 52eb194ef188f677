/**
 * project.yml as bootstrap reads it: the same file `doctl serverless deploy` reads, validated with
 * the deployer's rules for the parts we use, and `${VAR}` filled in value by value (so a secret
 * with quotes or newlines cannot change the YAML's structure). doctl refuses any unset variable;
 * bootstrap leaves unset environment variables out (the function then applies its own default)
 * and knows a default for the few other values that have one. The deployer substitutes the file's
 * text before it parses it, comments included, so a reference in a comment is refused here too.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import * as z from 'zod';
import { friendlyError, zodProblems } from '../../lib/config/input.js';
import { ConfigError, type Problem } from '../../lib/errors.js';
import { FUNCTIONS_RUNTIME } from '../functions-node.mjs';

export const PROJECT_FILE = 'project.yml';

/** What `${VAR}` outside an `environment` map means when VAR is unset (doctl has no defaults). */
export const PROJECT_DEFAULTS: Readonly<Record<string, string>> = { OPS_RUNTIME: FUNCTIONS_RUNTIME };

const REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;
const WHOLE_REFERENCE = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/;

export interface ProjectTrigger {
  name: string;
  cron: string;
  enabled: boolean;
  body: Record<string, unknown> | undefined;
}

export interface ProjectLimits {
  timeout?: number;
  memory?: number;
  logs?: number;
}

export interface ProjectFunction {
  name: string;
  runtime: string;
  web: boolean | 'raw';
  /** The secret web callers must send, or false for an open function. */
  webSecure: string | false;
  limits: ProjectLimits;
  /** Environment variables (`init` parameters) of this function alone. */
  environment: Record<string, string>;
  parameters: Record<string, unknown>;
  annotations: Record<string, unknown>;
  main: string | undefined;
  triggers: ProjectTrigger[];
}

export interface ProjectPackage {
  name: string;
  shared: boolean;
  /** The project's environment with the package's over it, as the deployer merges them. */
  environment: Record<string, string>;
  parameters: Record<string, unknown>;
  annotations: Record<string, unknown>;
  functions: ProjectFunction[];
}

const dictionary = z.record(z.string(), z.unknown());
const environment = z.record(z.string(), z.string());

const triggerSchema = z
  .object({
    name: z.string().min(1),
    type: z
      .string()
      .transform((value) => value.toUpperCase())
      .pipe(z.literal('SCHEDULED')),
    // A trigger written down is meant to run; the deployer sends what is given.
    enabled: z.boolean().default(true),
    scheduledDetails: z.object({ cron: z.string().min(1), body: dictionary.nullish() }).strict(),
  })
  .strict();

const functionSchema = z
  .object({
    name: z.string().regex(/^\w[\w@ .-]*$/, 'must be a function name (letters, digits, _ @ . -)'),
    runtime: z.string().regex(/^[a-z]+(-lambda)?:[\w.]+$/, 'must be a runtime kind such as nodejs:22'),
    web: z.union([z.boolean(), z.literal('raw')]).default(true),
    webSecure: z.union([z.string().min(1), z.literal(false)]).default(false),
    limits: z
      .object({
        timeout: z.number().int().min(100).max(900_000).optional(),
        memory: z.number().int().min(128).max(1024).optional(),
        logs: z.number().int().min(0).optional(),
      })
      .strict()
      .default({}),
    environment: environment.default({}),
    parameters: dictionary.default({}),
    annotations: dictionary.default({}),
    main: z.string().optional(),
    triggers: z.array(triggerSchema).default([]),
  })
  .strict();

const projectSchema = z
  .object({
    parameters: dictionary.default({}),
    environment: environment.default({}),
    packages: z
      .array(
        z
          .object({
            name: z.string().regex(/^\w[\w@ .-]*$/, 'must be a package name'),
            shared: z.boolean().default(false),
            environment: environment.default({}),
            parameters: dictionary.default({}),
            annotations: dictionary.default({}),
            functions: z.array(functionSchema).min(1),
          })
          .strict(),
      )
      .length(1, 'must hold exactly one package (the operations)'),
  })
  .strict();

/** Reads `root/project.yml` and fills in `${VAR}` from `source`; throws a ConfigError listing every problem. */
export function readProject(
  root: string,
  source: Readonly<Record<string, string | undefined>>,
): ProjectPackage {
  const file = join(root, PROJECT_FILE);
  let text: string;
  let raw: unknown;
  try {
    text = readFileSync(file, 'utf8');
    raw = parse(text);
  } catch (error) {
    throw new ConfigError(PROJECT_FILE, [
      { path: file, message: `cannot be read: ${error instanceof Error ? error.message : String(error)}` },
    ]);
  }
  const inComments = commentSubstitutions(text);
  if (inComments.length > 0) {
    throw new ConfigError(PROJECT_FILE, inComments, {
      hint: 'Reword those comments: `doctl serverless deploy` substitutes the whole file, comments included, and refuses the project when a name is unset.',
    });
  }
  return resolveProject(raw, source);
}

/** Pure: the parsed project.yml, substituted and validated. */
export function resolveProject(
  raw: unknown,
  source: Readonly<Record<string, string | undefined>>,
): ProjectPackage {
  const problems: Problem[] = [];
  const filled = fill(raw, [], source, problems);
  const result = projectSchema.safeParse(filled, { error: friendlyError });
  if (!result.success) problems.push(...zodProblems(result.error, 'project'));
  if (problems.length > 0 || !result.success) {
    throw new ConfigError(PROJECT_FILE, problems, {
      hint: 'Set the variables in .env (see .env.example); the header of project.yml says what each value takes.',
    });
  }
  const project = result.data;
  const pkg = project.packages[0]!;
  const names = new Set<string>();
  for (const fn of pkg.functions) {
    if (names.has(fn.name)) problems.push({ path: `functions.${fn.name}`, message: 'is declared twice' });
    names.add(fn.name);
  }
  if (problems.length > 0) throw new ConfigError(PROJECT_FILE, problems);
  return {
    name: pkg.name,
    shared: pkg.shared,
    environment: { ...project.environment, ...pkg.environment },
    parameters: { ...project.parameters, ...pkg.parameters },
    annotations: pkg.annotations,
    functions: pkg.functions.map((fn) => ({
      name: fn.name,
      runtime: fn.runtime,
      web: fn.web,
      webSecure: fn.webSecure,
      limits: fn.limits,
      environment: fn.environment,
      parameters: fn.parameters,
      annotations: fn.annotations,
      main: fn.main,
      triggers: fn.triggers.map((t) => ({
        name: t.name,
        cron: t.scheduledDetails.cron,
        enabled: t.enabled,
        body: t.scheduledDetails.body ?? undefined,
      })),
    })),
  };
}

/**
 * Every variable project.yml refers to, in order of first use: the deployer substitutes the whole
 * text, comments included, so every reference counts.
 */
export function projectVariables(text: string): string[] {
  return [...new Set([...text.matchAll(REFERENCE)].map((match) => match[1]!))];
}

/**
 * Pure: the substitutions the deployer would make inside comments (`${…}` and `$(…)`, its two
 * introducers), one problem each, with the line they are on.
 */
export function commentSubstitutions(text: string): Problem[] {
  const problems: Problem[] = [];
  text.split('\n').forEach((line, index) => {
    const comment = commentOf(line);
    for (const match of comment?.matchAll(/\$[{(][^})]*[})]?/g) ?? []) {
      problems.push({
        path: `line ${index + 1}`,
        message: `the comment holds ${match[0]}, which the deployer substitutes like any other text`,
      });
    }
  });
  return problems;
}

/** The comment part of a YAML line (from a `#` at its start or after a space, outside quotes). */
function commentOf(line: string): string | undefined {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote !== undefined) {
      if (c === '\\' && quote === '"') i += 1;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if (c === '#' && (i === 0 || /\s/.test(line[i - 1]!))) {
      return line.slice(i);
    }
  }
  return undefined;
}

function fill(
  value: unknown,
  path: readonly string[],
  source: Readonly<Record<string, string | undefined>>,
  problems: Problem[],
): unknown {
  if (typeof value === 'string') return fillString(value, path, source, problems);
  if (Array.isArray(value)) return value.map((item, i) => fill(item, [...path, String(i)], source, problems));
  if (value === null || typeof value !== 'object') return value;
  const isEnvironment = path.at(-1) === 'environment';
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    // An environment variable that is unset is left out, so the function falls back to its default.
    const whole = typeof item === 'string' ? WHOLE_REFERENCE.exec(item) : null;
    if (isEnvironment && whole && !isSet(source[whole[1]!])) continue;
    out[key] = fill(item, [...path, key], source, problems);
  }
  return out;
}

function fillString(
  text: string,
  path: readonly string[],
  source: Readonly<Record<string, string | undefined>>,
  problems: Problem[],
): string {
  return text.replace(REFERENCE, (match, name: string) => {
    const value = source[name];
    if (isSet(value)) return value;
    const fallback = PROJECT_DEFAULTS[name];
    if (fallback !== undefined) return fallback;
    problems.push({ path: path.join('.') || 'project', message: `\${${name}} is unset: set ${name}` });
    return match;
  });
}

function isSet(value: string | undefined): value is string {
  return value !== undefined && value.trim() !== '';
}
