/**
 * What a DigitalOcean answer can be, checked before anything believes it: a server that is not
 * DigitalOcean (a misconfigured DIGITALOCEAN_API_URL, a captive portal, a hostile host) must not
 * make the tool read a list of millions, page forever, or hold gigabytes. Pure checks; the
 * transport applies them while the body streams in and before dots parses it.
 */

/**
 * The most a DigitalOcean API answer may hold. A page holds at most 200 items (per_page's
 * maximum, spec: the `per_page` parameter and "Links & Pagination"); the largest items the tool
 * reads are apps (spec, active and in-progress deployments), a few KB to a few tens of KB each.
 * 200 × 64 KiB is 12.5 MiB: anything past 16 MiB is not an answer DigitalOcean sends.
 */
export const MAX_API_BODY_BYTES = 16 * 1024 * 1024;

/**
 * The most any other HTTPS answer may hold (an app's live page, the Functions API, which echoes
 * an action's code: OpenWhisk's default limit on an action's code is 48 MB).
 */
export const MAX_HTTPS_BODY_BYTES = 64 * 1024 * 1024;

/** DigitalOcean's page size when a request names none, and its maximum (spec: `per_page`). */
export const DEFAULT_PER_PAGE = 20;
export const MAX_PER_PAGE = 200;

/**
 * The most items the tool reads of one list: 250 pages of 200. Reading further would spend more
 * than a whole minute of the token's rate limit (250 requests a minute, spec: "Rate Limit") on
 * one list; the lists the tool reads (droplets, apps, SSH keys, projects, domains, firewalls,
 * registry repositories and manifests) are bounded by account limits far below this (an
 * account's `droplet_limit` is 25 by default, spec: `account`).
 */
export const MAX_LIST_ITEMS = 50_000;

/** A response the tool refuses to believe: why, in a phrase that completes "… was refused: ". */
export class AnswerRefused extends Error {
  override readonly name = 'AnswerRefused';
}

function mib(bytes: number): string {
  return `${Math.round(bytes / (1024 * 1024))} MiB`;
}

export function tooLarge(maxBytes: number, declared?: number): string {
  const said = declared === undefined ? 'its body passed' : `it declared ${declared} bytes, more than`;
  return `${said} ${mib(maxBytes)}, more than any real answer holds`;
}

function perPageOf(url: URL): number {
  const asked = Number(url.searchParams.get('per_page'));
  return Number.isInteger(asked) && asked > 0 ? asked : DEFAULT_PER_PAGE;
}

/**
 * Refuses a request for a page that lies past MAX_LIST_ITEMS, before it is sent: a server whose
 * next-page links never end is followed no further than any real account's list goes.
 */
export function pageBeyondBound(url: URL): string | undefined {
  const page = Number(url.searchParams.get('page'));
  if (!Number.isInteger(page) || page <= 1) return undefined;
  const perPage = perPageOf(url);
  const before = (page - 1) * perPage;
  if (before < MAX_LIST_ITEMS) return undefined;
  return `page ${page} of ${perPage} would start past item ${before.toLocaleString('en-US')}, and no account's list goes beyond ${MAX_LIST_ITEMS.toLocaleString('en-US')} items`;
}

/**
 * What is wrong with a successful answer's body, if anything: not JSON, not a JSON object, or a
 * list longer than the page it was asked for (at most 200 when the request named no page size:
 * DigitalOcean's own maximum).
 */
export function answerProblem(url: URL, body: ArrayBuffer): string | undefined {
  if (body.byteLength === 0) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(body));
  } catch {
    return 'its body is not JSON';
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    return `its body is ${Array.isArray(json) ? 'a JSON list' : `JSON ${json === null ? 'null' : typeof json}`}, not an object`;
  }
  const limit = url.searchParams.has('per_page') ? perPageOf(url) : MAX_PER_PAGE;
  for (const [key, value] of Object.entries(json)) {
    if (Array.isArray(value) && value.length > limit) {
      return `its "${key}" list holds ${value.length.toLocaleString('en-US')} items where a page holds at most ${limit}`;
    }
  }
  return undefined;
}

/** Reads a body to its end, refusing it as soon as it passes `maxBytes` (never buffering more). */
export async function readCapped(response: Response, maxBytes: number): Promise<ArrayBuffer> {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw new AnswerRefused(tooLarge(maxBytes, declared));
  }
  if (!response.body) return new ArrayBuffer(0);
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new AnswerRefused(tooLarge(maxBytes));
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes.buffer;
}
