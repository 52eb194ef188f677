import { rootCertificates } from 'node:tls';
import { createDigitalOceanClient, DigitalOceanApiKeyAuthenticationProvider } from '@digitalocean/dots';
import type { ParseNodeFactoryRegistry } from '@microsoft/kiota-abstractions';
import {
  CustomFetchHandler,
  FetchRequestAdapter,
  HeadersInspectionHandler,
  HttpClient,
  ParametersNameDecodingHandler,
} from '@microsoft/kiota-http-fetchlibrary';
import { Agent, fetch as undiciFetch } from 'undici';
import { type Emulator, type EmulatorOptions, startEmulator } from '../../emulator/index.js';
import { LenientJsonParseNodeFactory } from '../../lib/do/parse-node.js';

export type DotsClient = ReturnType<typeof createDigitalOceanClient>;

export interface TestEmulator {
  emu: Emulator;
  /** A dots client pointed at the emulator, trusting its CA. */
  dots: DotsClient;
  /** HTTPS fetch trusting the emulator's CA (for admin calls, live URLs, endpoints dots lacks). */
  fetch: (url: string, init?: RequestInit) => Promise<Response>;
  /** Calls the emulator's admin API (`/_emulator/...`) with the token. */
  admin(method: string, path: string, body?: unknown): Promise<unknown>;
  /** The API requests the emulator answered since the last `clearRequests`. */
  requests(): Promise<{ method: string; path: string; status: number }[]>;
  /**
   * Deleting a droplet is asynchronous, as on DigitalOcean: resolves once none of the droplets
   * (by id, or every one with the tag) is listed any more, polling in real time.
   */
  untilDropletsGone(which: { ids: number[] } | { tag: string }): Promise<void>;
  stop(): Promise<void>;
}

/** Starts an emulator for a test (fast time scale by default) with clients that trust it. */
export async function startTestEmulator(options: EmulatorOptions = {}): Promise<TestEmulator> {
  const emu = await startEmulator({ timeScale: 200, ...options });
  const agent = new Agent({ connect: { ca: [...rootCertificates, emu.caPem] } });
  const fetch = ((url: string, init?: RequestInit) =>
    undiciFetch(url, { ...(init as object), dispatcher: agent })) as unknown as TestEmulator['fetch'];
  const adapter = new FetchRequestAdapter(
    new DigitalOceanApiKeyAuthenticationProvider(emu.token),
    undefined,
    undefined,
    // Explicit middlewares: with none, Kiota adds a RetryHandler that waits out 429/503 in real seconds.
    new HttpClient(
      undefined,
      new ParametersNameDecodingHandler(),
      new HeadersInspectionHandler(),
      new CustomFetchHandler(fetch as never),
    ),
  );
  adapter.baseUrl = emu.apiUrl;
  const dots = createDigitalOceanClient(adapter);
  // The same lenient JSON parsing the tool's client uses: Kiota's own throws on lists of primitives.
  (adapter.getParseNodeFactory() as ParseNodeFactoryRegistry).contentTypeAssociatedFactories.set(
    'application/json',
    new LenientJsonParseNodeFactory(),
  );
  const admin = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${emu.apiUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${emu.token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (response.status >= 400)
      throw new Error(`admin ${method} ${path}: ${response.status} ${await response.text()}`);
    return response.status === 204 ? undefined : response.json();
  };
  const untilDropletsGone = async (which: { ids: number[] } | { tag: string }) => {
    const started = Date.now();
    for (;;) {
      const state = (await admin('GET', '/_emulator/state')) as {
        droplets?: { droplets: { id: number; tags: string[] }[] };
      };
      const listed = state.droplets?.droplets ?? [];
      const left = listed.filter((d) =>
        'ids' in which ? which.ids.includes(d.id) : d.tags.includes(which.tag),
      );
      if (left.length === 0) return;
      if (Date.now() - started > 30_000)
        throw new Error(`droplets ${left.map((d) => d.id).join(', ')} are still listed`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  return {
    emu,
    dots,
    fetch,
    admin,
    untilDropletsGone,
    requests: async () => ((await admin('GET', '/_emulator/requests')) as { requests: never[] }).requests,
    stop: async () => {
      await emu.stop();
      await agent.close();
    },
  };
}
