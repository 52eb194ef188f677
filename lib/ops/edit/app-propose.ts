/**
 * App Platform's own validation of a new spec, asked before anything changes: POST /v2/apps/propose
 * with the app's id treats the spec as a proposed update of that app (its encrypted SECRET values
 * included) and changes nothing (its scope is `app:read`). A spec it refuses would be refused by
 * the update too, after the edit had already resized droplets or written records.
 */
import type { AppSpec } from '../../config/app-spec.js';
import { ApiError, toToolError } from '../../do/index.js';
import { expandSpec } from '../../resources/app/index.js';
import type { OpContext } from '../types.js';

export type Proposal = { accepted: true; monthlyUsd: number | undefined } | { accepted: false; why: string };

/** A clear answer about the spec itself (400, 404, 422); auth, rate limits and 5xx are not about it. */
function isRefusal(error: unknown): error is ApiError {
  return (
    error instanceof ApiError &&
    !error.ambiguous &&
    error.status >= 400 &&
    error.status < 500 &&
    ![401, 403, 408, 429].includes(error.status)
  );
}

export async function proposeAppSpec(
  ctx: OpContext,
  app: { id: string; name: string },
  spec: AppSpec,
): Promise<Proposal> {
  try {
    const answer = await ctx.api.client.v2.apps.propose.post({ spec: expandSpec(spec), appId: app.id });
    const cost = answer?.appCost;
    return { accepted: true, monthlyUsd: typeof cost === 'number' ? cost : undefined };
  } catch (raw) {
    const what = { action: 'validate the new spec of', resource: `app ${app.name}` };
    const error = toToolError(raw, what);
    if (!isRefusal(error)) throw error;
    const said = error.message.replace(`DigitalOcean refused to ${what.action} ${what.resource}: `, '');
    return { accepted: false, why: `DigitalOcean refuses the new spec: ${said}` };
  }
}
