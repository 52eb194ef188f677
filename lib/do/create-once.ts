/**
 * Lookup-before-create. Droplet names are not unique and a create can fail after DigitalOcean
 * acted (a 5xx, a timeout, a dropped connection), so a blind retry could make a duplicate: we
 * look first, and after an unclear failure we look again before creating anything more.
 */
import type { Clock } from '../clock.js';
import type { ToolError } from '../errors.js';
import { ApiError, toToolError } from './errors.js';

export interface CreateOnceOptions<T> {
  /** The resource if it exists (by name, tag, …); undefined if not. */
  find: () => Promise<T | undefined>;
  create: () => Promise<T>;
  /** Names it in errors, e.g. `droplet base2-staging-1`. */
  what: string;
  clock: Clock;
  /** How long to let DigitalOcean settle before looking again. Default 2 s. */
  settleMs?: number;
  /** Advice for a refused create, e.g. "Check the region in deployment.yml." */
  hint?: string;
  /**
   * Skip the first look: the caller planned this create from a read made moments ago under the
   * deployment lock. After an unclear failure it still looks before creating again.
   */
  planned?: boolean;
}

export interface CreateOnceResult<T> {
  resource: T;
  /** True when this call made it, including when an unclear create turned out to have worked. */
  created: boolean;
}

/** The server may have acted: no answer, or a server error, to a create. */
export function isUnclearFailure(error: ToolError): boolean {
  if (!(error instanceof ApiError)) return false;
  if (error.ambiguous || error.status >= 500) return true;
  return error.status === 0 && error.reason !== 'tls';
}

export async function createOnce<T>(options: CreateOnceOptions<T>): Promise<CreateOnceResult<T>> {
  const find = async () => {
    try {
      return await options.find();
    } catch (error) {
      throw toToolError(error, { action: 'look up', resource: options.what });
    }
  };
  const create = async () => {
    try {
      return await options.create();
    } catch (error) {
      throw toToolError(error, {
        action: 'create',
        resource: options.what,
        ...(options.hint ? { hint: options.hint } : {}),
      });
    }
  };

  const existing = options.planned ? undefined : await find();
  if (existing !== undefined) return { resource: existing, created: false };
  try {
    return { resource: await create(), created: true };
  } catch (error) {
    if (!isUnclearFailure(error as ToolError)) throw error;
    await options.clock.sleep(options.settleMs ?? 2000);
    const made = await find();
    if (made !== undefined) return { resource: made, created: true };
    return { resource: await create(), created: true };
  }
}
