import type { EmuCore, Handler } from '../../core/types.js';
import type { GarbageCollector } from './garbage-collection.js';
import type { ImageStore } from './images.js';
import type { TakenNames } from './taken-names.js';
import type { TierSlug } from './tiers.js';

/** The account's one registry (DigitalOcean allows one per account on `/v2/registry`). */
export interface RegistryInfo {
  name: string;
  region: string;
  createdAt: number;
  tier: TierSlug;
  subscriptionCreatedAt: number;
  subscriptionUpdatedAt: number;
}

/** What the registry's route files share. */
export interface RegistryContext {
  core: EmuCore;
  images: ImageStore;
  gc: GarbageCollector;
  holder: { registry: RegistryInfo | undefined };
  /** Names other customers hold. */
  taken: TakenNames;
  /** The registry: 404 when there is none, or when `name` is given and is not its name. */
  requireRegistry(name?: string): RegistryInfo;
  /** `core.route`, with finished garbage collections settled before the handler reads anything. */
  route(method: string, pattern: string, handler: Handler): void;
}
