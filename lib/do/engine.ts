/**
 * What sends the bytes. Without an extra CA, Node's built-in fetch (undici inside Node) does, with
 * the system roots and NODE_EXTRA_CA_CERTS. With one (DIGITALOCEAN_CA_FILE, the emulator's CA),
 * the undici package does, with a TLS context that adds it; it is loaded only then, so function
 * bundles, which always trust the platform's store, can leave undici out.
 */
export interface HttpEngine {
  fetch(url: URL, init: RequestInit): Promise<Response>;
  /** Ends pooled connections so a CLI or a test exits at once. */
  close(): Promise<void>;
}

export function createEngine(extraCaPems: readonly string[] = []): HttpEngine {
  if (extraCaPems.length === 0) {
    return { fetch: (url, init) => globalThis.fetch(url, init), close: async () => undefined };
  }
  let loaded: Promise<HttpEngine> | undefined;
  const load = () => {
    loaded ??= import('./undici-engine.js').then((m) => m.undiciEngine(extraCaPems));
    return loaded;
  };
  return {
    fetch: async (url, init) => (await load()).fetch(url, init),
    close: async () => {
      if (loaded) await (await loaded).close();
    },
  };
}
