/**
 * `npm run bootstrap -- [--destroy] [--json] [--show-secret] [--debug]`: the command around
 * bootstrapPlane and destroyPlane. Progress goes to stderr for a person; the outcome to stdout,
 * as text or one JSON document. The web secret is printed only with --show-secret.
 */

import { join } from 'node:path';
import { InputError } from '../../lib/errors.js';
import { Redactor } from '../../lib/log/redact.js';
import { parseArgs } from '../cli/args.js';
import { type BootstrapResult, bootstrapPlane, type PlaneOptions } from './bootstrap-plane.js';
import { type CliIo, failWith } from './cli-io.js';
import { type DestroyResult, destroyPlane } from './destroy-plane.js';
import { MAX_SCHEDULED_TRIGGERS } from './schedule.js';

export interface BootstrapCliOptions {
  /** Holds project.yml and packages/. */
  root: string;
  /** Default `<cwd>/.env`. */
  envFile?: string;
  build?: PlaneOptions['build'];
}

const FLAGS = new Set(['destroy', 'show_secret']);

export const BOOTSTRAP_HELP = `usage: npm run bootstrap -- [--destroy] [--json] [--show-secret] [--debug]

Deploys the control plane: the Functions namespace (OPS_NAMESPACE_LABEL, default base2-ops, in
OPS_NAMESPACE_REGION), package ops and one web function per operation, with their triggers. Run it
again after a change; with nothing changed it changes nothing. It writes OPS_WEB_URL (and, when
absent, a generated OPS_WEB_SECRET) to .env for \`npm run remote\`.

flags:
  --destroy      remove the functions, the package, their triggers and the namespace if bootstrap
                 created it; Base2's own resources are not touched (use teardown for those)
  --json         print one JSON document on stdout
  --show-secret  also print the web secret
  --debug        show stack traces for internal errors
`;

export async function runBootstrapCli(
  argv: readonly string[],
  io: CliIo,
  options: BootstrapCliOptions,
): Promise<number> {
  let flags = { json: false, debug: false };
  try {
    const args = parseArgs(argv);
    flags = args.flags;
    if (args.flags.help) {
      io.stdout.write(BOOTSTRAP_HELP);
      return 0;
    }
    const unknown = [
      ...(args.op === undefined ? [] : [args.op]),
      ...Object.keys(args.input).filter((k) => !FLAGS.has(k)),
    ];
    if (unknown.length > 0) {
      throw new InputError(
        'The command line',
        [{ path: 'arguments', message: `unknown argument "${unknown[0]}"` }],
        {
          hint: 'Run with --help to see the flags.',
        },
      );
    }
    const redactor = secretsRedactor(io.source);
    const progress = (line: string) => io.stderr.write(`… ${redactor.redact(line)}\n`);
    const common = {
      root: options.root,
      source: io.source,
      clock: io.clock,
      random: io.random,
      onProgress: progress,
    };

    if (args.input.destroy === true) {
      const result = await destroyPlane(common);
      io.stdout.write(args.flags.json ? `${JSON.stringify(result, null, 2)}\n` : renderDestroy(result));
      return 0;
    }
    let secret: string | undefined;
    const result = await bootstrapPlane({
      ...common,
      envFile: options.envFile ?? join(io.cwd, '.env'),
      ...(options.build ? { build: options.build } : {}),
      revealSecret: (value: string) => {
        redactor.add(value);
        secret = value;
      },
    });
    const shown = args.input.show_secret === true ? secret : undefined;
    if (args.flags.json) {
      io.stdout.write(`${JSON.stringify({ ...result, ...(shown ? { web_secret: shown } : {}) }, null, 2)}\n`);
    } else {
      io.stdout.write(redactor.redact(renderBootstrap(result, Boolean(io.source.DIGITALOCEAN_CA_FILE))));
      if (shown) io.stdout.write(`OPS_WEB_SECRET=${shown}\n`);
    }
    return 0;
  } catch (error) {
    return failWith(io, error, flags);
  }
}

/** Every value a function receives as a secret, masked in anything printed. */
function secretsRedactor(source: Readonly<Record<string, string | undefined>>): Redactor {
  const redactor = new Redactor();
  for (const name of [
    'DIGITALOCEAN_TOKEN',
    'DIGITALOCEAN_ACCESS_TOKEN',
    'DO_SSH_PRIVATE_KEY',
    'OPS_WEB_SECRET',
    'BASE2_SECRET_KEY',
  ]) {
    redactor.add(source[name]);
  }
  return redactor;
}

export function renderBootstrap(result: BootstrapResult, withCa: boolean): string {
  const changes = result.steps.filter((s) => s.action !== 'noop').length;
  const headline = {
    created: `control plane created in namespace ${result.namespace.label} (${result.namespace.id}, ${result.namespace.region})`,
    updated: `control plane updated: ${changes} change${changes === 1 ? '' : 's'} in namespace ${result.namespace.label}`,
    up_to_date: `control plane up to date in namespace ${result.namespace.label}: nothing changed`,
  }[result.status];
  const width = Math.max(...result.functions.map((f) => f.name.length));
  const lines = [
    headline,
    '',
    'functions (POST a JSON object of inputs; header X-Require-Whisk-Auth: $OPS_WEB_SECRET):',
    ...result.functions.map(
      (f) => `  ${f.name.padEnd(width)}  ${f.url}  (${(f.bundle_bytes / 1024).toFixed(0)} KB bundle)`,
    ),
    '',
    'call one:',
    `  curl -sS${withCa ? ' --cacert "$DIGITALOCEAN_CA_FILE"' : ''} -X POST -H 'Content-Type: application/json' \\`,
    `    -H "X-Require-Whisk-Auth: $OPS_WEB_SECRET" -d '{"env":"staging"}' ${result.web_url}/info`,
    '  npm run remote -- info --env staging',
    '',
    ...renderSchedule(result.schedule),
    `web secret: OPS_WEB_SECRET in ${result.env_file.path}${result.secret_generated ? ' (generated now)' : ''}; --show-secret prints it`,
    ...(result.env_file.updated.length > 0
      ? [`wrote ${result.env_file.updated.join(' and ')} to ${result.env_file.path}`]
      : []),
    ...result.warnings.map((w) => `warning: ${w}`),
    `API calls: ${result.api_calls}`,
  ];
  return `${lines.join('\n')}\n`;
}

/** What is scheduled for which environments; what is not, why, and the crontab lines that would run it instead. */
export function renderSchedule(schedule: BootstrapResult['schedule']): string[] {
  const lines: string[] = [];
  const fnName = (t: { function: string }) => t.function.split('/').at(-1) ?? t.function;
  const groups = new Map<string, string[]>();
  for (const t of schedule.scheduled ?? []) {
    const key = `${fnName(t)}\u0000${t.cron}`;
    groups.set(key, [...(groups.get(key) ?? []), t.env ?? 'the environment DEPLOY_ENV names']);
  }
  for (const [key, envs] of groups) {
    const [name, cron] = key.split('\u0000');
    lines.push(`${name} is scheduled for ${envs.join(', ')} (${cron}, UTC)`);
  }
  const names = [...new Set(schedule.unscheduled.map(fnName))];
  if (schedule.unscheduled.length > 0) {
    lines.push(
      `${names.join(', ')} ${names.length === 1 ? 'is' : 'are'} not scheduled: scheduled triggers are a private preview of DigitalOcean Functions that this account does not have` +
        `${schedule.reason ? ` (DigitalOcean answered: ${schedule.reason.replace(/[.\s]+$/, '')})` : ''}.`,
      'Run it on its schedule from CI or cron instead (UTC), from this checkout with .env in place:',
      ...schedule.unscheduled.map((t) => `  ${t.cron}  ${t.run_instead}`),
      '',
    );
  }
  const over = schedule.over_limit ?? [];
  if (over.length > 0) {
    lines.push(
      `${over.map((t) => t.name).join(', ')} ${over.length === 1 ? 'is' : 'are'} not scheduled: a namespace holds at most ${MAX_SCHEDULED_TRIGGERS} scheduled triggers during DigitalOcean's preview.`,
      'Run them on their schedule from CI or cron instead (UTC), from this checkout with .env in place:',
      ...over.map((t) => `  ${t.cron}  ${t.run_instead}`),
      '',
    );
  }
  return lines;
}

export function renderDestroy(result: DestroyResult): string {
  if (result.namespace === undefined) return 'control plane: nothing to remove (no such namespace)\n';
  const lines = [
    result.status === 'removed'
      ? `control plane removed from namespace ${result.namespace.label}${result.namespace.deleted ? ' (namespace deleted)' : ''}`
      : `control plane: nothing to remove in namespace ${result.namespace.label}`,
    ...result.removed.map((r) => `  deleted ${r.kind} ${r.name}`),
    ...result.kept.map((k) => `  kept ${k}`),
    `API calls: ${result.api_calls}`,
  ];
  return `${lines.join('\n')}\n`;
}
