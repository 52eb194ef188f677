import type { DropletsService, DropletView } from '../../core/services.js';
import type { EmulatorModule } from '../../core/types.js';
import { DropletHosts } from '../../droplet-host/hosts.js';
import { registerDropletActionRoutes } from './action-routes.js';
import type { DropletRecord } from './model.js';
import { registerDropletRoutes } from './routes.js';
import { registerSizeRoutes } from './size-routes.js';
import { DropletStore } from './store.js';

/** The droplets service plus what the tags module needs to tag and untag. */
export interface DropletsRegistry extends DropletsService {
  tag(id: number, tag: string): void;
  untag(id: number, tag: string): void;
}

/**
 * Droplets: the API (`/v2/droplets…`), their lifecycle on the virtual clock, and the machines
 * behind them (droplet-host/): each active droplet answers SSH and HTTP on its public address.
 */
export const dropletsModule: EmulatorModule = {
  name: 'droplets',
  async register(core) {
    // The hosts read droplets at connection time, by which point the store exists.
    const hosts: DropletHosts = new DropletHosts({
      mode: core.loopback,
      ports: core.ports,
      workDir: core.workDir,
      // A droplet being deleted is still listed by the API, but its machine is gone.
      directory: {
        get: (id) => {
          const d = droplets.get(id);
          return d && !droplets.isDeleting(d) ? droplets.hostView(d) : undefined;
        },
        list: () =>
          droplets
            .list()
            .filter((d) => !droplets.isDeleting(d))
            .map((d) => droplets.hostView(d)),
      },
    });
    const droplets: DropletStore = new DropletStore(core, hosts);

    registerDropletRoutes(core, droplets);
    registerDropletActionRoutes(core, droplets);
    registerSizeRoutes(core);

    const view = (d: DropletRecord): DropletView => {
      const status = droplets.status(d);
      return {
        id: d.id,
        name: d.name,
        tags: [...d.tags],
        status,
        region: d.region,
        publicIpv4: status === 'new' ? undefined : d.publicIpv4,
      };
    };
    const registry: DropletsRegistry = {
      get: (id) => {
        const d = droplets.get(id);
        return d && view(d);
      },
      list: () => droplets.list().map(view),
      listByTag: (tag) =>
        droplets
          .list()
          .filter((d) => d.tags.includes(tag))
          .map(view),
      tag: (id, tag) => droplets.tag(id, tag),
      untag: (id, tag) => droplets.untag(id, tag),
    };
    core.services.set('droplets', registry);

    core.state('droplets', {
      dump: () => ({
        // Each droplet's SSH host key (shown only here: the API does not tell it).
        droplets: droplets.list().map((d) => {
          const key = hosts.hostKeyOf(d.id);
          const hostKey = key && {
            public_key: key.publicKey,
            fingerprint_md5: key.md5,
            fingerprint_sha256: key.sha256,
          };
          return {
            ...droplets.json(d),
            public_ipv4: d.publicIpv4,
            ...(hostKey ? { host_key: hostKey } : {}),
          };
        }),
      }),
      reset: () => droplets.reset(),
    });
    core.onStop(() => hosts.close());
    await hosts.start();
  },
};
