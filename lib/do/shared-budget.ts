/**
 * One rate-limit budget per token and API per process. DigitalOcean counts a token's requests
 * however many clients send them, and each operation makes its own client: a budget per client
 * could not see what an earlier operation sent in the same minute. A CLI process and a warm
 * function container each keep theirs here.
 */
import { createHash } from 'node:crypto';
import type { Clock } from '../clock.js';
import { RateBudget } from './rate-budget.js';

export interface SharedBudgetOptions {
  apiUrl: string;
  token: string;
  /** Used when the budget is created; a budget keeps the clock it started with. */
  clock: Clock;
  /** The latest setting holds for every client of the token. */
  perMinute?: number;
}

const budgets = new Map<string, RateBudget>();

/** The registry key: the API URL and a digest of the token, so the token itself is never kept here. */
export function budgetKey(apiUrl: string, token: string): string {
  const digest = createHash('sha256').update(token).digest('hex').slice(0, 16);
  return `${apiUrl.replace(/\/+$/, '')} ${digest}`;
}

export function sharedRateBudget(options: SharedBudgetOptions): RateBudget {
  const key = budgetKey(options.apiUrl, options.token);
  let budget = budgets.get(key);
  if (!budget) {
    budget = new RateBudget({ clock: options.clock });
    budgets.set(key, budget);
  }
  if (options.perMinute !== undefined) budget.configure({ perMinute: options.perMinute });
  return budget;
}
