import type { EmuRequest } from './types.js';

const DEFAULT_PER_PAGE = 20;
const MAX_PER_PAGE = 200;

/**
 * One page of a list in DigitalOcean's shape: `{ [key]: items, links: { pages }, meta: { total } }`,
 * 20 items by default and 200 at most, as the API reference's "Links & Pagination" describes.
 * `links.pages` carries first/prev only after page 1 and next/last only before the last page.
 */
export function paginate<T>(
  req: EmuRequest,
  baseUrl: string,
  key: string,
  all: readonly T[],
): Record<string, unknown> {
  const page = positiveInt(req.query.get('page'), 1);
  const perPage = Math.min(positiveInt(req.query.get('per_page'), DEFAULT_PER_PAGE), MAX_PER_PAGE);
  const lastPage = Math.max(1, Math.ceil(all.length / perPage));
  const items = all.slice((page - 1) * perPage, page * perPage);
  const link = (n: number) => {
    const query = new URLSearchParams(req.query);
    query.set('page', String(n));
    query.set('per_page', String(perPage));
    return `${baseUrl}${req.path}?${query.toString()}`;
  };
  const pages: Record<string, string> = {};
  if (page > 1) {
    pages.first = link(1);
    pages.prev = link(Math.min(page - 1, lastPage));
  }
  if (page < lastPage) {
    pages.next = link(page + 1);
    pages.last = link(lastPage);
  }
  return { [key]: items, links: { pages }, meta: { total: all.length } };
}

/**
 * A page number or size; anything that is not a positive integer falls back to the default. No
 * public source shows DigitalOcean refusing such a value, so none is refused here (a guess).
 */
function positiveInt(value: string | null, fallback: number): number {
  const n = Number(value);
  return value !== null && value !== '' && Number.isInteger(n) && n >= 1 ? n : fallback;
}
