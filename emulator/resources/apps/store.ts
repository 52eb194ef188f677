import { HttpError, notFound } from '../../core/http-error.js';
import type { AppRecord } from './model.js';

/**
 * The apps of the account. Names are unique per account and claimed synchronously in the same
 * tick as the insert, so concurrent creates of one name have exactly one winner (clients build
 * locks on this).
 */
export class AppStore {
  readonly apps = new Map<string, AppRecord>();
  private readonly ids = new Map<string, string>();

  /** Claims `name` for `appId`; false when another app holds it. */
  claim(name: string, appId: string): boolean {
    const holder = this.ids.get(name);
    if (holder !== undefined && holder !== appId) return false;
    this.ids.set(name, appId);
    return true;
  }

  release(name: string, appId: string): void {
    if (this.ids.get(name) === appId) this.ids.delete(name);
  }

  /** Moves an app to a new name, keeping the old one if the new one is taken. */
  rename(app: AppRecord, name: string): boolean {
    if (name === app.spec.name) return true;
    if (!this.claim(name, app.id)) return false;
    this.release(app.spec.name, app.id);
    return true;
  }

  byName(name: string): AppRecord | undefined {
    const id = this.ids.get(name);
    return id === undefined ? undefined : this.apps.get(id);
  }

  require(id: string | undefined): AppRecord {
    const app = id === undefined ? undefined : this.apps.get(id);
    if (!app) throw notFound();
    return app;
  }

  add(app: AppRecord): void {
    this.apps.set(app.id, app);
  }

  remove(app: AppRecord): void {
    this.apps.delete(app.id);
    this.release(app.spec.name, app.id);
  }

  list(): AppRecord[] {
    return [...this.apps.values()];
  }

  clear(): void {
    this.apps.clear();
    this.ids.clear();
  }
}

export function nameTaken(name: string): HttpError {
  return new HttpError(409, 'already_exists', `an app with the name "${name}" already exists`);
}

/** App Platform refuses new deployments while a rollback is pinned (a failed precondition: 400). */
export function pinnedError(app: AppRecord): HttpError {
  return new HttpError(
    400,
    'failed_precondition',
    `app is pinned to rollback deployment ${app.pin?.deploymentId}: commit or revert the rollback first`,
  );
}

export function failedPrecondition(message: string): HttpError {
  return new HttpError(400, 'failed_precondition', message);
}
