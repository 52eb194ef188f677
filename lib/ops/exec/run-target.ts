/** Runs the command on one resolved target, by SSH (droplet) or the console (app component). */

import { isNotFound } from '../../do/index.js';
import { ConfigError, InputError, OperationError } from '../../errors.js';
import { runConsole } from '../../exec/console.js';
import { ExecError } from '../../exec/errors.js';
import { runSsh } from '../../exec/ssh.js';
import type { CommandResult } from '../../exec/types.js';
import type { OpContext } from '../types.js';
import type { AppTarget, DropletTarget, ResolvedTarget } from './targets.js';

export interface RunSettings {
  command: string;
  timeoutMs: number;
  maxOutputBytes: number;
  /** DIGITALOCEAN_CA_FILE's content, trusted for the console websocket as for the API. */
  caPem?: string;
}

export function runTarget(
  ctx: OpContext,
  target: ResolvedTarget,
  settings: RunSettings,
): Promise<CommandResult> {
  return target.kind === 'droplet' ? runInDroplet(ctx, target, settings) : runInApp(ctx, target, settings);
}

/** What both runners take from the context: time, randomness, the deadline and the redactor. */
function bounds(ctx: OpContext, settings: RunSettings) {
  return {
    command: settings.command,
    // A web call must answer within its deadline, so no run may outlast it.
    timeoutMs: Math.max(1, Math.min(settings.timeoutMs, ctx.deadline.remainingMs())),
    maxOutputBytes: settings.maxOutputBytes,
    clock: ctx.clock,
    random: ctx.random,
    signal: ctx.deadline.signal,
    redactor: ctx.log.redactor,
  };
}

async function runInDroplet(
  ctx: OpContext,
  droplet: DropletTarget,
  settings: RunSettings,
): Promise<CommandResult> {
  if (droplet.status !== 'active') {
    throw new OperationError(`Droplet ${droplet.target} is ${droplet.status}, not active.`, {
      hint:
        droplet.status === 'new'
          ? 'It is still being created; run the command again in a minute.'
          : 'Power it on (or run deploy to repair it), then run the command again.',
    });
  }
  if (!droplet.host) {
    throw new ExecError(
      'unknown-host',
      `Droplet ${droplet.target} has no public IPv4 address to connect to.`,
    );
  }
  const { privateKey, ...ssh } = ctx.env.ssh;
  if (!privateKey) throw missingKey();
  return runSsh({
    ...bounds(ctx, settings),
    host: droplet.host,
    label: `droplet ${droplet.target}`,
    ssh: { ...ssh, privateKey },
  });
}

/** Checked before any droplet is tried, so a run on many droplets fails once, not per droplet. */
export function requireSshKey(ctx: OpContext): void {
  if (!ctx.env.ssh.privateKey) throw missingKey();
}

function missingKey(): ConfigError {
  return new ConfigError('The environment', [
    {
      path: 'DO_SSH_PRIVATE_KEY',
      message:
        'is required to run commands in droplets: set it (or DO_SSH_PRIVATE_KEY_FILE) to the private half of droplets.ssh_key.public_key',
    },
  ]);
}

async function runInApp(ctx: OpContext, app: AppTarget, settings: RunSettings): Promise<CommandResult> {
  try {
    return await runConsole({
      ...bounds(ctx, settings),
      client: ctx.api.client,
      appId: app.appId,
      component: app.component,
      ...(app.instance ? { instance: app.instance } : {}),
      label: `${app.target} of ${app.appName}`,
      ...(settings.caPem ? { caPem: settings.caPem } : {}),
    });
  } catch (error) {
    if (app.instance && isNotFound(error)) throw await unknownInstance(ctx, app);
    throw error;
  }
}

/** Instances come and go with deployments: name the running ones. */
async function unknownInstance(ctx: OpContext, app: AppTarget): Promise<InputError> {
  let running: string[] = [];
  try {
    const answer = await ctx.api.client.v2.apps.byApp_Id(app.appId).instances.get();
    running = (answer?.instances ?? [])
      .filter((i) => i.componentName === app.component && i.instanceName)
      .map((i) => i.instanceName!)
      .sort();
  } catch {
    // The list only improves the message; the instance is unknown either way.
  }
  const list = running.length > 0 ? `running instances: ${running.join(', ')}` : 'none is running now';
  return new InputError('The exec input', [
    { path: 'target', message: `app/${app.component} has no running instance ${app.instance}; ${list}` },
  ]);
}
