import * as z from 'zod';
import { environmentNameSchema } from '../../config/names.js';
import { readLockKey } from '../../lock/index.js';
import { appModule } from '../../resources/app/index.js';
import { dropletsModule } from '../../resources/droplets/index.js';
import { loadDeployment } from '../deployment.js';
import type { OpContext, Operation, OpOutcome } from '../types.js';
import { renderStatus } from './render.js';
import { appStatus, dropletStatus, lockStatus, type StatusResult, stateOf } from './summary.js';

export type { AppStatus, DropletStatus, LockStatus, StatusResult } from './summary.js';

const statusInputSchema = z.object({ env: environmentNameSchema.optional() });
export type StatusInput = z.output<typeof statusInputSchema>;

/**
 * The deployment's state in a few reads, all at once: the apps list (the app's active and
 * in-progress deployments come with it), the droplets (one page of the account, or by tag), and the
 * deployment lock (its SSH key, read by fingerprint). Nothing is changed.
 */
async function status(input: StatusInput, ctx: OpContext): Promise<OpOutcome<StatusResult>> {
  const deployment = loadDeployment(ctx, input.env);
  const [app, droplets, lock] = await Promise.all([
    deployment.app ? appModule.read(ctx, deployment) : undefined,
    deployment.droplets ? dropletsModule.read(ctx, deployment) : undefined,
    readLockKey(ctx, deployment.slug),
  ]);
  const parts = {
    ...(app ? { app: appStatus(app) } : {}),
    ...(droplets ? { droplets: dropletStatus(droplets) } : {}),
    lock: lockStatus(lock, ctx.clock.now()),
  };
  const warnings = [
    ...(app ? appModule.warnings(app, deployment) : []),
    ...(droplets ? dropletsModule.warnings(droplets, deployment) : []),
  ];
  return {
    status: 'succeeded',
    deployment: deployment.slug,
    result: { state: stateOf(parts), ...parts },
    warnings,
  };
}

export const statusOperation: Operation<StatusInput, StatusResult> = {
  name: 'status',
  summary: "the deployment's state in a few reads: app deployment and its progress, droplets, the lock",
  mutating: false,
  input: statusInputSchema,
  run: status,
  render: renderStatus,
};
