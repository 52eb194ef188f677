import type { EmuCore } from '../../core/types.js';
import type { DeployContext } from './deployments.js';
import type { SecretBox } from './secrets.js';
import type { AppStore } from './store.js';
import type { ViewContext } from './views.js';

/** What the App Platform route files share. */
export interface AppsContext {
  core: EmuCore;
  store: AppStore;
  box: SecretBox;
  view: ViewContext;
  deploy: DeployContext;
  /** Listeners told when an app is deleted (consoles and log streams close). */
  deleted: ((appId: string) => void)[];
}

/** A JSON request body as an object (absent or non-object bodies read as empty). */
export function bodyOf(body: unknown): Record<string, unknown> {
  return body !== null && typeof body === 'object' && !Array.isArray(body)
    ? (body as Record<string, unknown>)
    : {};
}

/** Key-order-independent JSON, to tell whether a spec really changed. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        )
      : v,
  );
}
