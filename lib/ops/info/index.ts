/**
 * `info`: what the deployment (default; env from the input or DEPLOY_ENV) or the whole account
 * (`scope: account`) holds, with warnings for conflicts. Read-only: list calls only, one per kind
 * where the list carries the data, never a get per item.
 */
import * as z from 'zod';
import { commonInputSchema } from '../../config/input.js';
import { loadDeployment } from '../deployment.js';
import type { OpContext, Operation, OpOutcome } from '../types.js';
import { accountInfo } from './account-scope.js';
import { deploymentInfo } from './deployment-scope.js';
import { renderInfo } from './render.js';
import type { InfoResult } from './types.js';

export { renderInfo } from './render.js';
export type {
  AppDomainRow,
  AppRow,
  ComponentRow,
  DeploymentPhase,
  DomainRow,
  DropletRow,
  FirewallRow,
  InfoResult,
  InfoScope,
  NamespaceRow,
  Ownership,
  ProjectRow,
  RecordRow,
  RecordState,
  RegistryRow,
  RepositoryRow,
  SshKeyRow,
} from './types.js';

const infoInputSchema = commonInputSchema.extend({
  scope: z.enum(['deployment', 'account']).default('deployment'),
});
export type InfoInput = z.output<typeof infoInputSchema>;

async function run(input: InfoInput, ctx: OpContext): Promise<OpOutcome<InfoResult>> {
  if (input.scope === 'account') {
    ctx.progress({ step: 'reading DigitalOcean', detail: 'the whole account' });
    const { result, warnings } = await accountInfo(ctx);
    return { status: 'succeeded', result, warnings };
  }
  const deployment = loadDeployment(ctx, input.env);
  ctx.progress({ step: 'reading DigitalOcean', detail: deployment.slug });
  const { result, warnings } = await deploymentInfo(ctx, deployment);
  return { status: 'succeeded', deployment: deployment.slug, result, warnings };
}

export const infoOperation: Operation<InfoInput, InfoResult> = {
  name: 'info',
  summary: 'list what the deployment (or the whole account) holds, with warnings for conflicts',
  mutating: false,
  input: infoInputSchema,
  run,
  render: renderInfo,
};
