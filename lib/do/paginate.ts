/**
 * Reads every page of a DigitalOcean list. A list that cannot be read to the end is an error,
 * never a silently short list: teardown and lookup-before-create depend on seeing everything.
 */
import { OperationError } from '../errors.js';
import { ApiError } from './errors.js';
import { MAX_LIST_ITEMS } from './response-guard.js';

/** What a dots list response holds, e.g. `client.v2.droplets.get(…)` → `{ items: r.droplets, ...r }`. */
export interface Page<T> {
  items: readonly T[] | null | undefined;
  links?: { pages?: object | null } | null;
  meta?: { total?: number | null } | null;
}

export interface ListAllOptions {
  /** DigitalOcean's maximum is 200. */
  perPage?: number;
  /**
   * Stops a misbehaving server from keeping us paging forever; by default as many pages as hold
   * MAX_LIST_ITEMS (response-guard.ts explains the bound; the transport refuses pages past it too).
   */
  maxPages?: number;
  /** Names the list in errors, e.g. `droplets tagged base2-staging`. */
  what?: string;
}

/**
 * dots models `links.pages` as a union and parses it as its first member (first/prev links), so
 * `next` lands in `additionalData`; both places are read.
 */
export function nextPageLink(links: Page<unknown>['links']): string | undefined {
  const pages = links?.pages as
    | { next?: unknown; additionalData?: Record<string, unknown> }
    | null
    | undefined;
  const next = pages?.next ?? pages?.additionalData?.next;
  return typeof next === 'string' && next !== '' ? next : undefined;
}

function pageNumber(link: string): number | undefined {
  try {
    const page = Number(new URL(link, 'https://api.digitalocean.com').searchParams.get('page'));
    return Number.isInteger(page) && page > 0 ? page : undefined;
  } catch {
    return undefined;
  }
}

export async function listAll<T>(
  fetchPage: (page: number, perPage: number) => Promise<Page<T>>,
  options: ListAllOptions = {},
): Promise<T[]> {
  const perPage = options.perPage ?? 200;
  const maxPages = options.maxPages ?? Math.ceil(MAX_LIST_ITEMS / perPage);
  const what = options.what ?? 'the list';
  const items: T[] = [];
  const seen = new Set<number>();
  let page = 1;
  for (;;) {
    seen.add(page);
    const result = await fetchPage(page, perPage);
    items.push(...(result.items ?? []));
    const next = nextPageLink(result.links);
    const total = result.meta?.total ?? undefined;
    if (total !== undefined && total > MAX_LIST_ITEMS) {
      throw new ApiError({
        status: 0,
        reason: 'response',
        operation: 'list',
        resource: what,
        detail: `it says the list holds ${total.toLocaleString('en-US')} items, and no account's list goes beyond ${MAX_LIST_ITEMS.toLocaleString('en-US')}`,
        ambiguous: false,
      });
    }
    if (!next || (total !== undefined && items.length >= total)) return items;
    const nextPage = pageNumber(next);
    if (nextPage === undefined || seen.has(nextPage) || seen.size >= maxPages) {
      const problem =
        nextPage === undefined
          ? `its next-page link has no page number (${next})`
          : seen.has(nextPage)
            ? `page ${page} links back to page ${nextPage}`
            : `it still had more after ${seen.size} pages`;
      throw new OperationError(`Could not read ${what} to the end: ${problem}.`, {
        hint: 'Try again; if it persists, report it with the request ids from the log.',
      });
    }
    page = nextPage;
  }
}
