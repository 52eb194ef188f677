import type { EmulatorModule } from './core/types.js';
import { accountModule } from './resources/account.js';
import { actionsModule } from './resources/actions.js';
import { appsModule } from './resources/apps/index.js';
import { domainsModule } from './resources/domains/index.js';
import { dropletsModule } from './resources/droplets/index.js';
import { firewallsModule } from './resources/firewalls/index.js';
import { functionsModule } from './resources/functions/index.js';
import { projectsModule } from './resources/projects/index.js';
import { registryModule } from './resources/registry/index.js';
import { sshKeysModule } from './resources/ssh-keys.js';
import { tagsModule } from './resources/tags.js';

/** Every resource family the emulator serves; each is one module under resources/. */
export const modules: EmulatorModule[] = [
  accountModule,
  actionsModule,
  sshKeysModule,
  tagsModule,
  dropletsModule,
  domainsModule,
  firewallsModule,
  projectsModule,
  registryModule,
  appsModule,
  functionsModule,
];
