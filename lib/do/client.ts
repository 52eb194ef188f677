/**
 * The DigitalOcean client every operation uses: dots on top of our transport (retries, budget,
 * counting, https only), plus a plain HTTPS client for what dots does not cover.
 */
import { readFileSync } from 'node:fs';
import { DigitalOceanApiKeyAuthenticationProvider } from '@digitalocean/dots/src/dots/DigitalOceanApiKeyAuthenticationProvider.js';
import { CustomFetchHandler, FetchRequestAdapter, HttpClient } from '@microsoft/kiota-http-fetchlibrary';
import type { Clock, Random } from '../clock.js';
import { ConfigError } from '../errors.js';
import { type ApiCallEntry, ApiCallLog } from './call-log.js';
import { createEngine, type HttpEngine } from './engine.js';
import { pinnedEngine } from './pinned-engine.js';
import { RateBudget } from './rate-budget.js';
import { MAX_API_BODY_BYTES } from './response-guard.js';
import { createSlimClient, type DigitalOceanClient } from './slim-client.js';
import { createTransport, type FetchFunction, requireHttps } from './transport.js';

export type { DigitalOceanClient };

export interface DoClientOptions {
  token: string;
  /** https://api.digitalocean.com, or the emulator's URL. */
  apiUrl: string;
  /** An extra CA (PEM) to trust besides the system roots: DIGITALOCEAN_CA_FILE's content. */
  caPem?: string;
  clock: Clock;
  random: Random;
  maxAttempts?: number;
  requestTimeoutMs?: number;
  /** The first retry's back-off ceiling (doubling after); default 500 ms. */
  backoffBaseMs?: number;
  /** How long past the deadline a request may still run (transport.ts); default 10 s. */
  deadlineAttemptGraceMs?: number;
  /** The host's own cut, past which no request runs, wrapping up included (transport.ts). */
  hardDeadline?: { remainingMs(): number };
  /** For a budget of this client's own, when `budget` is not given. Default 250. */
  rateLimitPerMinute?: number;
  /** The token's budget, shared with the process's other clients of it (sharedRateBudget). */
  budget?: RateBudget;
  /** How long one request may be held back by the rate limit in all. Default 2 min. */
  rateLimitWaitMs?: number;
  /** The operation's deadline: no request is held back longer than the time left before it, plus 2 s. */
  deadline?: { remainingMs(): number };
  /** Called for every attempt, through `client` and `https` alike (each keeps its own log). */
  onCall?: (entry: ApiCallEntry) => void;
}

export interface HttpsClient {
  /** A fetch: https only, retried like DigitalOcean calls, body read in full, redirects not followed. */
  request: FetchFunction;
  /**
   * The same fetch, but every connection goes to `address` (resolved by the system when it is a
   * name) while TLS and the Host header keep the URL's host: asks a shared edge for a host name
   * whose DNS is not (yet) visible, e.g. an app's custom domain at its default ingress.
   */
  requestVia(address: string): FetchFunction;
  readonly calls: ApiCallLog;
}

export interface DoApi {
  client: DigitalOceanClient;
  /** Every DigitalOcean API attempt made through `client`. */
  calls: ApiCallLog;
  /** For live-URL checks and the Functions (OpenWhisk) API: same CA, no DigitalOcean token. */
  https: HttpsClient;
  /** The API URL without a trailing slash. */
  baseUrl: string;
  /** Closes pooled connections, so a CLI or test can exit at once. */
  close(): Promise<void>;
}

export interface HttpsOptions {
  clock: Clock;
  random: Random;
  caPem?: string;
  maxAttempts?: number;
  requestTimeoutMs?: number;
  deadline?: { remainingMs(): number };
  deadlineAttemptGraceMs?: number;
  hardDeadline?: { remainingMs(): number };
  onCall?: (entry: ApiCallEntry) => void;
}

/**
 * Node reads NODE_EXTRA_CA_CERTS into its default store only; an explicit CA list replaces that
 * store, so when we pass one we add the file's certificates ourselves to keep it working.
 */
function trustedExtraCas(caPem: string | undefined): string[] {
  if (!caPem) return [];
  const extraFile = process.env.NODE_EXTRA_CA_CERTS;
  if (!extraFile) return [caPem];
  try {
    return [caPem, readFileSync(extraFile, 'utf8')];
  } catch {
    // Node has already warned about an unreadable NODE_EXTRA_CA_CERTS at startup.
    return [caPem];
  }
}

const apiUrlRole = { subject: 'The DigitalOcean API URL', path: 'DIGITALOCEAN_API_URL' };

function parseApiUrl(apiUrl: string): URL {
  try {
    return new URL(apiUrl);
  } catch {
    throw new ConfigError(apiUrlRole.subject, [
      { path: 'DIGITALOCEAN_API_URL', message: `is not a URL: ${JSON.stringify(apiUrl)}` },
    ]);
  }
}

/** A standalone HTTPS client; `close` ends its pooled connections. */
export function createHttps(options: HttpsOptions): HttpsClient & { close(): Promise<void> } {
  const engine = createEngine(trustedExtraCas(options.caPem));
  return { ...httpsOn(engine, options), close: () => engine.close() };
}

function httpsOn(engine: HttpEngine, options: HttpsOptions): HttpsClient {
  const calls = new ApiCallLog(options.onCall);
  const transportOn = (on: HttpEngine) =>
    createTransport({
      clock: options.clock,
      random: options.random,
      engine: on,
      calls,
      // Other hosts have their own limits; only a 429 they send slows this client down.
      budget: new RateBudget({ clock: options.clock, perMinute: Number.POSITIVE_INFINITY }),
      ...(options.deadline ? { deadline: options.deadline } : {}),
      ...(options.maxAttempts ? { maxAttempts: options.maxAttempts } : {}),
      ...(options.requestTimeoutMs ? { requestTimeoutMs: options.requestTimeoutMs } : {}),
      ...(options.deadlineAttemptGraceMs !== undefined
        ? { deadlineAttemptGraceMs: options.deadlineAttemptGraceMs }
        : {}),
      ...(options.hardDeadline ? { hardDeadline: options.hardDeadline } : {}),
    });
  const extraCas = trustedExtraCas(options.caPem);
  return {
    request: transportOn(engine),
    requestVia: (address) => transportOn(pinnedEngine(address, extraCas)),
    calls,
  };
}

export function createDoClient(options: DoClientOptions): DoApi {
  if (!options.token) {
    throw new ConfigError('The DigitalOcean token', [{ path: 'DIGITALOCEAN_TOKEN', message: 'is required' }]);
  }
  const url = parseApiUrl(options.apiUrl);
  requireHttps(url, apiUrlRole);
  const baseUrl = url.href.replace(/\/+$/, '');

  const engine = createEngine(trustedExtraCas(options.caPem));
  const calls = new ApiCallLog(options.onCall);
  const transport = createTransport({
    clock: options.clock,
    random: options.random,
    engine,
    calls,
    budget:
      options.budget ??
      new RateBudget({ clock: options.clock, perMinute: options.rateLimitPerMinute ?? 250 }),
    jsonErrorBodies: true,
    apiAnswers: true,
    maxBodyBytes: MAX_API_BODY_BYTES,
    urlRole: apiUrlRole,
    ...(options.deadline ? { deadline: options.deadline } : {}),
    ...(options.rateLimitWaitMs !== undefined ? { rateLimitWaitMs: options.rateLimitWaitMs } : {}),
    ...(options.maxAttempts ? { maxAttempts: options.maxAttempts } : {}),
    ...(options.requestTimeoutMs ? { requestTimeoutMs: options.requestTimeoutMs } : {}),
    ...(options.backoffBaseMs !== undefined ? { backoffBaseMs: options.backoffBaseMs } : {}),
    ...(options.deadlineAttemptGraceMs !== undefined
      ? { deadlineAttemptGraceMs: options.deadlineAttemptGraceMs }
      : {}),
    ...(options.hardDeadline ? { hardDeadline: options.hardDeadline } : {}),
  });

  // The middleware is given explicitly: with none, Kiota installs its defaults, whose RetryHandler
  // retries 429/503/504 on its own timer, POSTs included, behind the transport's back.
  const httpClient = new HttpClient(undefined, new CustomFetchHandler(transport));
  const adapter = new FetchRequestAdapter(
    new DigitalOceanApiKeyAuthenticationProvider(options.token),
    undefined,
    undefined,
    httpClient,
  );
  // The client captures the base URL when created.
  adapter.baseUrl = baseUrl;
  const client = createSlimClient(adapter);

  return { client, calls, https: httpsOn(engine, options), baseUrl, close: () => engine.close() };
}
