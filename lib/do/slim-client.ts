/**
 * A dots client limited to the API families the tool calls. `createDigitalOceanClient` wires the
 * request builders of every DigitalOcean service, so a bundle carries all of dots' models
 * (~580 KB minified); wiring only ours lets esbuild drop the rest (~160 KB), which keeps each
 * function bundle under DigitalOcean's 1 MB budget. The request builders, models and serializers
 * are dots' own: only the top-level navigation table is ours. A family missing here is a type
 * error at its first use, not a runtime surprise.
 */
import {
  AccountRequestBuilderNavigationMetadata,
  AccountRequestBuilderRequestsMetadata,
} from '@digitalocean/dots/src/dots/v2/account/index.js';
import {
  ActionsRequestBuilderNavigationMetadata,
  ActionsRequestBuilderRequestsMetadata,
} from '@digitalocean/dots/src/dots/v2/actions/index.js';
import {
  AppsRequestBuilderNavigationMetadata,
  AppsRequestBuilderRequestsMetadata,
} from '@digitalocean/dots/src/dots/v2/apps/index.js';
import {
  DomainsRequestBuilderNavigationMetadata,
  DomainsRequestBuilderRequestsMetadata,
} from '@digitalocean/dots/src/dots/v2/domains/index.js';
import {
  DropletsRequestBuilderNavigationMetadata,
  DropletsRequestBuilderRequestsMetadata,
} from '@digitalocean/dots/src/dots/v2/droplets/index.js';
import {
  FirewallsRequestBuilderNavigationMetadata,
  FirewallsRequestBuilderRequestsMetadata,
} from '@digitalocean/dots/src/dots/v2/firewalls/index.js';
import { FunctionsRequestBuilderNavigationMetadata } from '@digitalocean/dots/src/dots/v2/functions/index.js';
import type { V2RequestBuilder } from '@digitalocean/dots/src/dots/v2/index.js';
import {
  ProjectsRequestBuilderNavigationMetadata,
  ProjectsRequestBuilderRequestsMetadata,
} from '@digitalocean/dots/src/dots/v2/projects/index.js';
import {
  RegistryRequestBuilderNavigationMetadata,
  RegistryRequestBuilderRequestsMetadata,
} from '@digitalocean/dots/src/dots/v2/registry/index.js';
import { SizesRequestBuilderRequestsMetadata } from '@digitalocean/dots/src/dots/v2/sizes/index.js';
import {
  TagsRequestBuilderNavigationMetadata,
  TagsRequestBuilderRequestsMetadata,
} from '@digitalocean/dots/src/dots/v2/tags/index.js';
import {
  apiClientProxifier,
  type ParseNodeFactoryRegistry,
  type RequestAdapter,
  type SerializationWriterFactoryRegistry,
} from '@microsoft/kiota-abstractions';
import { JsonSerializationWriterFactory } from '@microsoft/kiota-serialization-json';
import { LenientJsonParseNodeFactory } from './parse-node.js';

export type ApiFamily =
  | 'account'
  | 'actions'
  | 'apps'
  | 'domains'
  | 'droplets'
  | 'firewalls'
  | 'functions'
  | 'projects'
  | 'registry'
  | 'sizes'
  | 'tags';

/** The dots client as the tool uses it: `client.v2.<family>…`, dots' own builders and models. */
export interface DigitalOceanClient {
  v2: Pick<V2RequestBuilder, ApiFamily>;
}

const navigation = {
  v2: {
    navigationMetadata: {
      account: {
        requestsMetadata: AccountRequestBuilderRequestsMetadata,
        navigationMetadata: AccountRequestBuilderNavigationMetadata,
      },
      actions: {
        requestsMetadata: ActionsRequestBuilderRequestsMetadata,
        navigationMetadata: ActionsRequestBuilderNavigationMetadata,
      },
      apps: {
        requestsMetadata: AppsRequestBuilderRequestsMetadata,
        navigationMetadata: AppsRequestBuilderNavigationMetadata,
      },
      domains: {
        requestsMetadata: DomainsRequestBuilderRequestsMetadata,
        navigationMetadata: DomainsRequestBuilderNavigationMetadata,
      },
      droplets: {
        requestsMetadata: DropletsRequestBuilderRequestsMetadata,
        navigationMetadata: DropletsRequestBuilderNavigationMetadata,
      },
      firewalls: {
        requestsMetadata: FirewallsRequestBuilderRequestsMetadata,
        navigationMetadata: FirewallsRequestBuilderNavigationMetadata,
      },
      functions: { navigationMetadata: FunctionsRequestBuilderNavigationMetadata },
      projects: {
        requestsMetadata: ProjectsRequestBuilderRequestsMetadata,
        navigationMetadata: ProjectsRequestBuilderNavigationMetadata,
      },
      registry: {
        requestsMetadata: RegistryRequestBuilderRequestsMetadata,
        navigationMetadata: RegistryRequestBuilderNavigationMetadata,
      },
      sizes: { requestsMetadata: SizesRequestBuilderRequestsMetadata },
      tags: {
        requestsMetadata: TagsRequestBuilderRequestsMetadata,
        navigationMetadata: TagsRequestBuilderNavigationMetadata,
      },
    },
  },
};

/**
 * What `createDigitalOceanClient` does, for our families only: JSON both ways (with the lenient
 * parser dots needs against the installed Kiota), then the proxy over the navigation table.
 * Set `adapter.baseUrl` first: the client captures it.
 */
export function createSlimClient(adapter: RequestAdapter): DigitalOceanClient {
  const parsers = adapter.getParseNodeFactory() as ParseNodeFactoryRegistry;
  parsers.contentTypeAssociatedFactories.set('application/json', new LenientJsonParseNodeFactory());
  const writers = adapter.getSerializationWriterFactory() as SerializationWriterFactoryRegistry;
  writers.contentTypeAssociatedFactories.set('application/json', new JsonSerializationWriterFactory());
  return apiClientProxifier<DigitalOceanClient>(
    adapter,
    { baseurl: adapter.baseUrl },
    navigation as never,
    undefined,
  );
}
