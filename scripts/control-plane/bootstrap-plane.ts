/**
 * `npm run bootstrap`: the control plane from project.yml and the built functions. Validate the
 * environment, settle the web secret, build, find or create the namespace, read it, plan, apply,
 * and write OPS_WEB_URL (and a generated secret) to .env. Nothing else in the account is touched.
 */
import { randomBytes as cryptoRandomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type BuiltFunction, buildFunctions } from '../../build.mjs';
import type { Clock, Random } from '../../lib/clock.js';
import { createDoClient, createHttps } from '../../lib/do/index.js';
import { ConfigError } from '../../lib/errors.js';
import { writeEnvUpdates } from './env-file.js';
import { readFunctionCode } from './function-code.js';
import { ensureNamespace, type NamespaceInfo } from './namespace.js';
import { OpenWhisk } from './openwhisk.js';
import {
  ANNOTATIONS,
  annotation,
  expandAction,
  expandPackage,
  expandTriggers,
  type PlaneStep,
  planPlane,
  type TriggerState,
  UNSCHEDULED_REASON,
} from './plan.js';
import { functionSource, loadPlaneEnv } from './plane-env.js';
import { applyPlane, readPlane } from './plane-state.js';
import { PROJECT_FILE, type ProjectPackage, readProject } from './project.js';
import { checkRuntimes } from './runtime-check.js';
import { manifestEnvironments, triggersPerEnvironment, withinTriggerLimit } from './schedule.js';
import { functionUrl, packageUrl } from './web-url.js';

export interface PlaneOptions {
  /** Holds project.yml and packages/. */
  root: string;
  /** .env merged with the process environment. */
  source: Readonly<Record<string, string | undefined>>;
  /** Where OPS_WEB_SECRET (when generated) and OPS_WEB_URL are written. */
  envFile: string;
  clock: Clock;
  random: Random;
  randomBytes?: (size: number) => Buffer;
  /** Progress lines for a person. */
  onProgress?: (line: string) => void;
  /** Builds the functions; default build.mjs into root/packages/<package>. */
  build?: (pkg: ProjectPackage) => Promise<BuiltFunction[]>;
  /** Receives the web secret deployed (only for `--show-secret`: it is in no result). */
  revealSecret?: (secret: string) => void;
}

export interface BootstrapResult {
  status: 'created' | 'updated' | 'up_to_date';
  namespace: { id: string; label: string; region: string; api_host: string; created: boolean };
  package: string;
  web_url: string;
  functions: { name: string; url: string; bundle_bytes: number; zip_bytes: number }[];
  steps: PlaneStep[];
  env_file: { path: string; updated: string[] };
  secret_generated: boolean;
  /**
   * Whether the triggers project.yml declares run on their schedule. On an account without the
   * scheduled triggers preview they are not created: `unscheduled` lists them, `reason` quotes
   * DigitalOcean, and `run_instead` is the command to run from CI or cron on that schedule.
   */
  schedule: {
    available: boolean;
    reason?: string;
    /** The triggers that run on their schedule now, with the environment each runs for. */
    scheduled: { name: string; function: string; cron: string; env?: string }[];
    unscheduled: { name: string; function: string; cron: string; run_instead: string }[];
    /**
     * Beyond the namespace's limit of scheduled triggers (lib: schedule.ts): run from cron instead.
     * Present only when some are.
     */
    over_limit?: { name: string; function: string; cron: string; run_instead: string }[];
  };
  warnings: string[];
  api_calls: number;
}

/** 32 random bytes, base64url: 43 characters, past loadEnv's 32-character minimum. */
export function generateWebSecret(randomBytes: (size: number) => Buffer = cryptoRandomBytes): string {
  return randomBytes(32).toString('base64url');
}

export async function bootstrapPlane(options: PlaneOptions): Promise<BootstrapResult> {
  const progress = options.onProgress ?? (() => undefined);
  const plane = loadPlaneEnv(options.source, options.root);
  const env = plane.env;
  const warnings: string[] = [];
  const envUpdates: string[] = [];

  // Saved before any API call: the secret goes into the functions, so it must not be lost.
  let secret = env.webSecret;
  if (secret === undefined) {
    secret = generateWebSecret(options.randomBytes);
    writeEnvUpdates(options.envFile, { OPS_WEB_SECRET: secret });
    envUpdates.push('OPS_WEB_SECRET');
    progress(`generated a web secret and saved it in ${options.envFile} as OPS_WEB_SECRET`);
  }
  options.revealSecret?.(secret);
  const project = readProject(options.root, functionSource(options.source, env, secret));
  // maintain needs an environment: one trigger per environment deployment.yml defines (read
  // before any call, so a missing manifest changes nothing).
  const perEnvironment = withinTriggerLimit(
    triggersPerEnvironment(expandTriggers(project), manifestEnvironments(options.root, options.source)),
  );

  progress('building the functions');
  const build =
    options.build ??
    ((pkg: ProjectPackage) => buildFunctions({ root: options.root, outDir: join('packages', pkg.name) }));
  const built = checkBuilt(project, await build(project));
  for (const fn of built.filter((b) => b.oversize)) {
    warnings.push(
      `${fn.op}: the bundle is ${(fn.bytes / 1024).toFixed(0)} KB, over the 1 MB budget (cold starts suffer).`,
    );
  }
  const codes = new Map(built.map((b) => [b.op, readFunctionCode(b.dir, b.op)]));

  const caPem = env.caFile === undefined ? undefined : readFileSync(env.caFile, 'utf8');
  const clients = { clock: options.clock, random: options.random, caPem };
  const api = createDoClient({
    ...clients,
    token: env.token,
    apiUrl: env.apiUrl,
    rateLimitPerMinute: env.rateLimitPerMinute,
  });
  // Uploads of a function's zip can take a while on a slow link.
  const https = createHttps({ ...clients, requestTimeoutMs: 120_000 });
  try {
    const { namespace, created } = await ensureNamespace(api, plane.label, plane.region, options.clock);
    progress(
      `namespace ${namespace.label} (${namespace.region}): ${created ? 'created' : 'found'} ${namespace.namespace}`,
    );
    if (!created && namespace.region !== plane.region) {
      warnings.push(
        `namespace ${namespace.label} is in ${namespace.region}, not ${plane.region}: kept where it is.`,
      );
    }
    const access = { api, ow: new OpenWhisk(namespace, https), namespace: namespace.namespace };
    const runtimes = checkRuntimes(project.functions, await access.ow.runtimes());
    if (runtimes.problems.length > 0) {
      throw new ConfigError(PROJECT_FILE, runtimes.problems, {
        hint: 'Set OPS_RUNTIME (in .env) to a runtime the namespace offers, then run bootstrap again.',
      });
    }
    warnings.push(...runtimes.warnings);
    const actual = await readPlane(
      access,
      project.name,
      project.functions.map((f) => f.name),
    );
    const createdNamespace =
      created || annotation(actual.package?.annotations ?? [], ANNOTATIONS.createdNamespace) === true;
    const desired = {
      packageName: project.name,
      packageBody: expandPackage(project, createdNamespace),
      functions: project.functions.map((fn) => {
        const code = codes.get(fn.name)!;
        return { name: fn.name, body: expandAction(fn, code), digest: code.digest };
      }),
      triggers: perEnvironment.scheduled,
    };
    const planned = planPlane(desired, actual);
    const applied = await applyPlane(access, desired, planned, (step) =>
      progress(`${step.kind} ${step.name}: ${step.action} (${step.reason})`),
    );
    const unscheduled =
      actual.triggersUnavailable !== undefined
        ? { triggers: desired.triggers, reason: actual.triggersUnavailable }
        : applied.unscheduled;
    const refused = new Set(unscheduled?.triggers.map((t) => t.name));
    const steps = planned.map((step) =>
      step.kind === 'trigger' && refused.has(step.name)
        ? { ...step, action: 'noop' as const, reason: UNSCHEDULED_REASON }
        : step,
    );
    for (const step of steps.filter(
      (s) => s.action === 'noop' && s.reason !== 'up to date' && s.reason !== UNSCHEDULED_REASON,
    )) {
      warnings.push(`${step.kind} ${step.name}: ${step.reason}`);
    }

    const webUrl = packageUrl(namespace, project.name);
    if (options.source.OPS_WEB_URL !== webUrl) {
      writeEnvUpdates(options.envFile, { OPS_WEB_URL: webUrl });
      envUpdates.push('OPS_WEB_URL');
    }
    const changed = steps.some((s) => s.action !== 'noop');
    return {
      status: created ? 'created' : changed ? 'updated' : 'up_to_date',
      namespace: namespaceSummary(namespace, created),
      package: project.name,
      web_url: webUrl,
      functions: project.functions.map((fn) => ({
        name: fn.name,
        url: functionUrl(namespace, project.name, fn.name),
        bundle_bytes: built.find((b) => b.op === fn.name)!.bytes,
        zip_bytes: codes.get(fn.name)!.zipBytes,
      })),
      steps,
      env_file: { path: options.envFile, updated: envUpdates },
      secret_generated: envUpdates.includes('OPS_WEB_SECRET'),
      schedule: {
        available: unscheduled === undefined,
        ...(unscheduled ? { reason: unscheduled.reason } : {}),
        scheduled: desired.triggers
          .filter((t) => !refused.has(t.name) && t.enabled)
          .map((t) => ({
            name: t.name,
            function: t.function,
            cron: t.cron,
            ...(typeof t.body?.env === 'string' ? { env: t.body.env } : {}),
          })),
        unscheduled: (unscheduled?.triggers ?? []).map((t) => runInstead(t, project.name)),
        ...(perEnvironment.over.length > 0
          ? { over_limit: perEnvironment.over.map((t) => runInstead(t, project.name)) }
          : {}),
      },
      warnings,
      api_calls: api.calls.summary().total + https.calls.summary().total,
    };
  } finally {
    await Promise.all([api.close(), https.close()]);
  }
}

function runInstead(t: TriggerState, packageName: string) {
  return { name: t.name, function: t.function, cron: t.cron, run_instead: remoteCommand(t, packageName) };
}

/**
 * The command that runs a trigger's function as the trigger would (its body as the input), for CI
 * or cron on an account without scheduled triggers.
 */
export function remoteCommand(trigger: TriggerState, packageName: string): string {
  const op = trigger.function.startsWith(`${packageName}/`)
    ? trigger.function.slice(packageName.length + 1)
    : trigger.function;
  const flags = Object.entries(trigger.body ?? {}).map(([key, value]) => {
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    return ` --${key} ${/^[\w./:@-]+$/.test(text) ? text : `'${text.replaceAll("'", "'\\''")}'`}`;
  });
  return `npm run remote -- ${op}${flags.join('')}`;
}

/** project.yml and the built directories must name the same functions. */
function checkBuilt(project: ProjectPackage, built: BuiltFunction[]): BuiltFunction[] {
  const declared = new Set(project.functions.map((f) => f.name));
  const made = new Set(built.map((b) => b.op));
  const problems = [
    ...[...declared]
      .filter((name) => !made.has(name))
      .map((name) => ({
        path: `packages.${project.name}.functions.${name}`,
        message: `has no packages/${project.name}/${name}/index.ts to build`,
      })),
    ...[...made]
      .filter((name) => !declared.has(name))
      .map((name) => ({
        path: `packages/${project.name}/${name}`,
        message: 'is built but project.yml does not declare it: add it as a function',
      })),
  ];
  if (problems.length > 0) throw new ConfigError('project.yml', problems);
  return built;
}

export function namespaceSummary(namespace: NamespaceInfo, created: boolean): BootstrapResult['namespace'] {
  return {
    id: namespace.namespace,
    label: namespace.label,
    region: namespace.region,
    api_host: namespace.apiHost,
    created,
  };
}
