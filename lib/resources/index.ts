import { appModule } from './app/index.js';
import { domainModule } from './domain/index.js';
import { dropletsModule } from './droplets/index.js';
import { firewallModule } from './firewall/index.js';
import { registryModule } from './registry/index.js';
import { sshKeyModule } from './ssh-key/index.js';
import type { ResourceKind, ResourceModule } from './types.js';

// biome-ignore lint/suspicious/noExplicitAny: each kind has its own desired and actual types
export type AnyResourceModule = ResourceModule<any, any>;

/** Every resource kind the tool converges, by kind. */
export const resourceModules: Record<Exclude<ResourceKind, 'record' | 'tag'>, AnyResourceModule> = {
  registry: registryModule,
  ssh_key: sshKeyModule,
  app: appModule,
  firewall: firewallModule,
  droplet: dropletsModule,
  domain: domainModule,
};
