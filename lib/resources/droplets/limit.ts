/**
 * The account's droplet limit (`droplet_limit` of GET /v2/account): DigitalOcean refuses a create
 * that would take the account past it (422, "creating this/these droplet(s) will exceed your
 * droplet limit"), possibly after other creates of the same run went through, and new accounts
 * have a low one (docs/fidelity.md, account.droplet-limit). A deploy or edit that creates droplets
 * checks it first, before anything changes, with one GET; one that creates none never asks.
 */
import { isDotsError, toToolError } from '../../do/index.js';
import { isToolError } from '../../errors.js';
import type { OpContext } from '../../ops/types.js';
import type { PlanStep } from '../types.js';
import type { ActualDroplets } from './model.js';
import type { DropletPayload } from './plan.js';

/** Where a limit increase is asked for (the account's settings, as DigitalOcean's docs say). */
export const LIMIT_INCREASE_URL = 'https://cloud.digitalocean.com/account/team/droplet_limit_increase';

export interface LimitNeed {
  slug: string;
  limit: number;
  /** Droplets the account lists now, every deployment's (those being deleted included). */
  account: number;
  /** Of them, this deployment's. */
  owned: number;
  /** New droplets the plan creates. */
  creates: number;
  /** This deployment's droplets that stay, serving, until the new ones are verified (a replaced generation). */
  retiring: number;
  /** The droplet count the plan converges to. */
  count: number;
}

/** Pure: what the plan asks of the limit, from its droplet steps and what was read. */
export function limitNeed(
  slug: string,
  steps: readonly PlanStep[],
  actual: ActualDroplets,
  accountTotal: number,
  limit: number,
  count: number,
): LimitNeed {
  const payload = (s: PlanStep) => (s.payload as DropletPayload | undefined)?.type;
  return {
    slug,
    limit,
    account: accountTotal,
    owned: actual.owned.length,
    creates: steps.filter((s) => s.action === 'create').length,
    retiring: steps.filter((s) => s.action === 'delete' && payload(s) === 'retire').length,
    count,
  };
}

/**
 * Pure: the refusal when the plan's peak (what the account holds now plus what it creates; droplets
 * it deletes meanwhile are not counted on, as their deletes run beside the creates) exceeds the
 * limit, naming the limit, the account's droplets, the peak and what would fit; else undefined.
 */
export function dropletLimitRefusal(need: LimitNeed): string | undefined {
  const peak = need.account + need.creates;
  if (need.creates === 0 || peak <= need.limit) return undefined;
  const excess = peak - need.limit;
  const free = Math.max(0, need.limit - need.account);
  const replacing =
    need.retiring > 0
      ? `, while the ${need.retiring} droplet(s) of the generation they replace keep serving until the new ones are verified`
      : '';
  const fits = free === 0 ? 'No new droplet fits now.' : `At most ${free} new droplet(s) fit now.`;
  const fitCount = need.count - excess;
  // Each droplet fewer in the count is one fewer to create (a scale-up, or the new generation).
  const lower = free > 0 && fitCount >= 1 ? `lower droplets.count to ${fitCount}, ` : '';
  return (
    `The account's droplet limit is ${need.limit} and it has ${need.account} droplet(s) (${need.owned} of them ` +
    `${need.slug}'s); this would create ${need.creates} more${replacing}, ${peak} at the peak. ${fits} ` +
    `Delete droplets the account no longer needs, ${lower}or ask DigitalOcean support to raise the limit ` +
    `(${LIMIT_INCREASE_URL}).`
  );
}

/** One GET /v2/account; undefined (with a warning) when the token may not read it. */
async function readLimit(ctx: OpContext, warnings: string[]): Promise<number | undefined> {
  try {
    const limit = (await ctx.api.client.v2.account.get())?.account?.dropletLimit ?? undefined;
    if (limit === undefined)
      warnings.push('DigitalOcean did not say the account’s droplet limit; it was not checked.');
    return limit;
  } catch (raw) {
    if (!isToolError(raw) && !isDotsError(raw)) throw raw;
    const error = toToolError(raw, { action: 'read', resource: 'the account (its droplet limit)' });
    warnings.push(
      `The account's droplet limit was not checked: ${error.describe()} DigitalOcean refuses droplets beyond it.`,
    );
    return undefined;
  }
}

/** The account's droplet count when the droplets' read did not tell it: one GET of one droplet. */
async function countAccount(ctx: OpContext): Promise<number> {
  try {
    const r = await ctx.api.client.v2.droplets.get({ queryParameters: { page: 1, perPage: 1 } });
    return r?.meta?.total ?? (r?.droplets ?? []).length;
  } catch (error) {
    throw toToolError(error, { action: 'list', resource: 'droplets' });
  }
}

/**
 * Reads the limit and checks the plan against it: the refusal, or undefined when it fits (or the
 * limit could not be read: then a warning says so). Creates nothing, reads only when it creates.
 */
export async function checkDropletLimit(
  ctx: OpContext,
  steps: readonly PlanStep[],
  actual: ActualDroplets,
  count: number,
  warnings: string[],
): Promise<string | undefined> {
  if (!steps.some((s) => s.action === 'create')) return undefined;
  const [limit, total] = await Promise.all([
    readLimit(ctx, warnings),
    actual.accountTotal ?? countAccount(ctx),
  ]);
  if (limit === undefined) return undefined;
  return dropletLimitRefusal(limitNeed(actual.slug, steps, actual, total, limit, count));
}
