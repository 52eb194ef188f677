import type { Deployment } from '../../config/manifest.js';
import { ApiError, createOnce, isNotFound } from '../../do/index.js';
import type { OpContext } from '../../ops/types.js';
import { mutate } from '../mutate.js';
import type { AppliedStep, PlanStep } from '../types.js';
import { flattenSshKey, type SshKeyState } from './model.js';
import type { SshKeyPayload } from './plan.js';
import { listSshKeys } from './read.js';

const applied = (
  step: PlanStep,
  action: AppliedStep['action'],
  key: { id: number } | undefined,
  detail?: string,
) =>
  ({
    kind: 'ssh_key',
    action,
    name: step.name,
    ...(key ? { id: String(key.id) } : {}),
    outcome: 'ok',
    ...(detail ? { detail } : {}),
  }) satisfies AppliedStep;

/** Deleting a key that is already gone is done, not a failure. */
async function deleteKey(ctx: OpContext, deployment: Deployment, name: string, id: number): Promise<void> {
  await mutate(ctx, deployment.slug, { kind: 'ssh_key', name, action: 'delete' }, async () => {
    try {
      await ctx.api.client.v2.account.keys.bySsh_key_identifier(id).delete();
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  });
}

const byFingerprint = async (ctx: OpContext, fingerprint: string) =>
  (await listSshKeys(ctx)).find((k) => k.fingerprint === fingerprint);

/**
 * Registers the key once: looked up by fingerprint first and again after an unclear failure. A
 * 422 "already in use" means someone registered it meanwhile (under any name): that key is used.
 */
async function registerKey(
  ctx: OpContext,
  deployment: Deployment,
  key: SshKeyPayload,
): Promise<{ key: SshKeyState; created: boolean }> {
  const create = async () => {
    const answer = await mutate(
      ctx,
      deployment.slug,
      { kind: 'ssh_key', name: key.name, action: 'create' },
      () => ctx.api.client.v2.account.keys.post({ name: key.name, publicKey: key.publicKey }),
    );
    if (!answer?.sshKey) throw new Error('DigitalOcean answered the create without the key');
    return flattenSshKey(answer.sshKey);
  };
  try {
    const made = await createOnce({
      find: () => byFingerprint(ctx, key.fingerprint),
      create,
      what: `SSH key ${key.name}`,
      clock: ctx.clock,
      settleMs: ctx.tuning.pollInitialMs * 2,
    });
    return { key: made.resource, created: made.created };
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 422)) throw error;
    const existing = await byFingerprint(ctx, key.fingerprint);
    if (!existing) throw error;
    return { key: existing, created: false };
  }
}

async function register(ctx: OpContext, deployment: Deployment, step: PlanStep, key: SshKeyPayload) {
  const result = await registerKey(ctx, deployment, key);
  if (result.created) return applied(step, 'create', result.key);
  return {
    ...applied(step, 'create', result.key, `already registered as "${result.key.name}": used as it is`),
    outcome: 'skipped' as const,
  };
}

export async function applySshKeySteps(
  ctx: OpContext,
  deployment: Deployment,
  steps: readonly PlanStep[],
): Promise<AppliedStep[]> {
  const results: AppliedStep[] = [];
  for (const step of steps) {
    const payload = step.payload as SshKeyPayload | undefined;
    if (step.action === 'delete' && step.id) {
      await deleteKey(ctx, deployment, step.name, Number(step.id));
      results.push(applied(step, 'delete', { id: Number(step.id) }));
    } else if (step.action === 'create' && payload) {
      results.push(await register(ctx, deployment, step, payload));
    } else if (step.action === 'replace' && payload && step.id) {
      await deleteKey(ctx, deployment, step.name, Number(step.id));
      results.push(applied(step, 'delete', { id: Number(step.id) }, 'replaced: old public key removed'));
      results.push(await register(ctx, deployment, step, payload));
    }
  }
  return results;
}
