/**
 * Every HTTP attempt, counted: the quality bar "no operation spends more calls than needed" and
 * "never a 429 in a normal run" are measured from here.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export interface ApiCallEntry {
  method: string;
  /** Path and query. */
  path: string;
  /** HTTP status; 0 when no response arrived. */
  status: number;
  durationMs: number;
  /** 1 for the first try of a request, 2 for its first retry, … */
  attempt: number;
  /** This attempt repeats an earlier one of the same request. */
  retried: boolean;
  /** Epoch milliseconds when the attempt started (the injected clock's time). */
  startedAt: number;
  requestId?: string;
  /** Why no response arrived, e.g. `ECONNRESET` or `timeout`. */
  error?: string;
}

export interface ApiCallSummary {
  total: number;
  /** POST, PUT, PATCH and DELETE attempts (not a propose, which only validates). */
  mutating: number;
  byMethod: Record<string, number>;
  retries: number;
  /** 429 answers seen. */
  rateLimited: number;
}

const mutatingMethods = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** POSTs that change nothing: App Platform's propose only validates (its scope is `app:read`). */
const READ_ONLY_POSTS = ['/v2/apps/propose'];

export function isMutating(method: string, path?: string): boolean {
  const bare = path?.split('?')[0];
  if (bare !== undefined && READ_ONLY_POSTS.some((p) => bare.endsWith(p))) return false;
  return mutatingMethods.has(method.toUpperCase());
}

/** The calls made inside one `scoped` block, wherever its awaits lead (AsyncLocalStorage). */
const scopes = new AsyncLocalStorage<ApiCallEntry[]>();

export class ApiCallLog {
  private readonly log: ApiCallEntry[] = [];

  constructor(private readonly onCall?: (entry: ApiCallEntry) => void) {}

  record(entry: ApiCallEntry): void {
    this.log.push(entry);
    scopes.getStore()?.push(entry);
    this.onCall?.(entry);
  }

  /**
   * Runs `work` and returns the attempts it made, so a mutating call can be audited with the
   * request id DigitalOcean gave it even while other calls run in parallel.
   */
  async scoped<T>(work: () => Promise<T>): Promise<{ value: T; entries: ApiCallEntry[] }> {
    const entries: ApiCallEntry[] = [];
    const value = await scopes.run(entries, work);
    return { value, entries };
  }

  entries(): readonly ApiCallEntry[] {
    return [...this.log];
  }

  summary(): ApiCallSummary {
    const byMethod: Record<string, number> = {};
    let mutating = 0;
    let retries = 0;
    let rateLimited = 0;
    for (const entry of this.log) {
      byMethod[entry.method] = (byMethod[entry.method] ?? 0) + 1;
      if (isMutating(entry.method, entry.path)) mutating += 1;
      if (entry.retried) retries += 1;
      if (entry.status === 429) rateLimited += 1;
    }
    return { total: this.log.length, mutating, byMethod, retries, rateLimited };
  }
}
