/**
 * The exec operation: run a command line in the deployment's droplets (SSH) or in an app
 * component (the App Platform console) and report, per target, its output, exit code and duration.
 * It changes nothing on DigitalOcean, so it takes no lock; each run is still an audit record.
 */
import { readFileSync } from 'node:fs';
import { isToolError } from '../../errors.js';
import { mapLimit } from '../../exec/concurrency.js';
import { ExecTimeoutError } from '../../exec/errors.js';
import { loadDeployment } from '../deployment.js';
import type { OpContext, Operation, OpOutcome } from '../types.js';
import { type ExecInput, execInputSchema, targetOf } from './input.js';
import { renderExec } from './render.js';
import {
  type ExecResult,
  failedTargetResult,
  isSuccess,
  type TargetResult,
  toTargetResult,
} from './result.js';
import { type RunSettings, requireSshKey, runTarget } from './run-target.js';
import { type ResolvedTarget, resolveTargets } from './targets.js';

export type { ExecInput } from './input.js';
export type { ExecResult, TargetResult } from './result.js';

/** Droplets run in parallel up to this many at a time: enough for a deployment, gentle on the runner. */
export const EXEC_CONCURRENCY = 8;

async function run(input: ExecInput, ctx: OpContext): Promise<OpOutcome<ExecResult>> {
  const deployment = loadDeployment(ctx, input.env);
  const target = targetOf(input);
  const targets = await resolveTargets(ctx, deployment.slug, target);
  const names = targets.map((t) => t.target);
  if (input.dry_run) {
    return {
      status: 'noop',
      deployment: deployment.slug,
      result: { dry_run: true, targets: names, results: [] },
    };
  }
  if (targets.some((t) => t.kind === 'droplet')) requireSshKey(ctx);
  const settings: RunSettings = {
    command: input.command,
    timeoutMs: input.timeout * 1000,
    maxOutputBytes: input.max_output_bytes,
    ...(ctx.env.caFile ? { caPem: readFileSync(ctx.env.caFile, 'utf8') } : {}),
  };
  const one = (t: ResolvedTarget) => runAudited(ctx, deployment.slug, t, settings);
  // Many targets: each failure is reported with its target and the others still run. One named
  // target: its failure is the operation's error, except a timeout, which is reported like any
  // target's so that the output printed before it is not lost.
  const results =
    target.kind === 'droplets'
      ? await mapLimit(targets, EXEC_CONCURRENCY, (t) => keepFailure(ctx, t, one, isToolError))
      : [await keepFailure(ctx, targets[0]!, one, (error) => error instanceof ExecTimeoutError)];
  return {
    status: isSuccess(results) ? 'succeeded' : 'failed',
    deployment: deployment.slug,
    result: { dry_run: false, targets: names, results },
  };
}

/** A target's failure that `kept` accepts, kept in the result; anything else is thrown on. */
async function keepFailure(
  ctx: OpContext,
  target: ResolvedTarget,
  one: (target: ResolvedTarget) => Promise<TargetResult>,
  kept: (error: unknown) => boolean,
): Promise<TargetResult> {
  const started = ctx.clock.now();
  try {
    return await one(target);
  } catch (error) {
    if (!isToolError(error) || !kept(error)) throw error;
    return failedTargetResult(target.target, error, ctx.clock.now() - started);
  }
}

async function runAudited(
  ctx: OpContext,
  slug: string,
  target: ResolvedTarget,
  settings: RunSettings,
): Promise<TargetResult> {
  const resource = target.kind === 'droplet' ? `droplet ${target.target}` : `app ${slug} ${target.target}`;
  try {
    const result = toTargetResult(target.target, await runTarget(ctx, target, settings));
    ctx.audit.record({
      op: ctx.op,
      deployment: slug,
      resource,
      action: 'exec',
      outcome: 'ok',
      detail: detailOf(result),
    });
    ctx.log.info('exec finished', {
      target: target.target,
      exit_code: result.exit_code,
      duration_ms: result.duration_ms,
    });
    return result;
  } catch (error) {
    const message = isToolError(error) ? error.message : 'internal error';
    ctx.audit.record({
      op: ctx.op,
      deployment: slug,
      resource,
      action: 'exec',
      outcome: 'failed',
      detail: message,
    });
    throw error;
  }
}

function detailOf(result: TargetResult): string {
  const ended =
    result.exit_code === null ? `signal ${result.signal ?? 'unknown'}` : `exit code ${result.exit_code}`;
  return `${ended} after ${result.duration_ms} ms`;
}

export const execOperation: Operation<ExecInput, ExecResult> = {
  name: 'exec',
  summary: 'run a command in the deployment’s droplets (SSH) or in an app component (console)',
  mutating: false,
  input: execInputSchema,
  run,
  render: renderExec,
};
