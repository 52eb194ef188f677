import { HttpError, notFound } from '../core/http-error.js';
import { paginate } from '../core/paginate.js';
import { service, type TagsService } from '../core/services.js';
import type { EmulatorModule, EmuRequest } from '../core/types.js';
import type { DropletsRegistry } from './droplets/index.js';

/** The tags service plus what the droplets module tells it (for `last_tagged_uri`). */
export interface TagRegistry extends TagsService {
  /** Records that a resource was just tagged (creating the tag if needed). */
  tagged(name: string, resourceType: 'droplet', resourceId: number): void;
}

const TAG_NAME = /^[a-zA-Z0-9_\-:]+$/;

export function isTagName(name: unknown): name is string {
  return typeof name === 'string' && name.length <= 255 && TAG_NAME.test(name);
}

/**
 * `/v2/tags`: creating a tag that exists answers it again (tagging is idempotent on DigitalOcean);
 * tagging needs the tag to exist (404 otherwise); deleting a tag untags everything it was on.
 * Counts are read from the droplets module, so deleted droplets drop out by themselves.
 */
export const tagsModule: EmulatorModule = {
  name: 'tags',
  register(core) {
    const tags = new Set<string>();
    // Per tag, the order resources were tagged in, newest last (for `last_tagged_uri`).
    const taggedOrder = new Map<string, number[]>();
    const droplets = () => service<DropletsRegistry>(core.services, 'droplets');

    const registry: TagRegistry = {
      ensure: (name) => {
        tags.add(name);
      },
      exists: (name) => tags.has(name),
      tagged: (name, _type, id) => {
        tags.add(name);
        const order = (taggedOrder.get(name) ?? []).filter((other) => other !== id);
        taggedOrder.set(name, [...order, id]);
      },
    };

    const tagJson = (name: string) => {
      const tagged = droplets()?.listByTag(name) ?? [];
      const ids = new Set(tagged.map((d) => d.id));
      const order = (taggedOrder.get(name) ?? []).filter((id) => ids.has(id));
      const last = order.at(-1) ?? tagged.at(-1)?.id;
      const uri = last === undefined ? {} : { last_tagged_uri: `${core.baseUrl()}/v2/droplets/${last}` };
      const none = { count: 0 };
      return {
        name,
        resources: {
          count: tagged.length,
          ...uri,
          droplets: { count: tagged.length, ...uri },
          images: none,
          volumes: none,
          volume_snapshots: none,
          databases: none,
        },
      };
    };
    const existing = (req: EmuRequest) => {
      const name = req.params.tag_id ?? '';
      if (!tags.has(name)) throw notFound();
      return name;
    };

    core.route('GET', '/v2/tags', (req) => ({
      status: 200,
      body: paginate(req, core.baseUrl(), 'tags', [...tags].map(tagJson)),
    }));

    core.route('POST', '/v2/tags', (req) => {
      const name = objectBody(req).name;
      if (!isTagName(name)) return invalidTagName(name);
      tags.add(name);
      return { status: 201, body: { tag: tagJson(name) } };
    });

    core.route('GET', '/v2/tags/:tag_id', (req) => ({ status: 200, body: { tag: tagJson(existing(req)) } }));

    core.route('DELETE', '/v2/tags/:tag_id', (req) => {
      const name = existing(req);
      for (const droplet of droplets()?.listByTag(name) ?? []) droplets()?.untag(droplet.id, name);
      tags.delete(name);
      taggedOrder.delete(name);
      return { status: 204 };
    });

    const resourcesOf = (req: EmuRequest) => {
      const name = existing(req);
      const resources = objectBody(req).resources;
      if (!Array.isArray(resources) || resources.length === 0) {
        throw new HttpError(400, 'parameter_missing', 'param is missing or the value is empty: resources');
      }
      // All or nothing: every resource must exist before any is (un)tagged.
      const ids = resources.map((entry: unknown) => {
        const { resource_id: id, resource_type: type } = (entry ?? {}) as Record<string, unknown>;
        const dropletId = Number(id);
        if (type !== 'droplet' || !/^\d+$/.test(String(id)) || !droplets()?.get(dropletId)) throw notFound();
        return dropletId;
      });
      return { name, ids };
    };

    core.route('POST', '/v2/tags/:tag_id/resources', (req) => {
      const { name, ids } = resourcesOf(req);
      for (const id of ids) {
        droplets()?.tag(id, name);
        registry.tagged(name, 'droplet', id);
      }
      return { status: 204 };
    });

    core.route('DELETE', '/v2/tags/:tag_id/resources', (req) => {
      const { name, ids } = resourcesOf(req);
      for (const id of ids) droplets()?.untag(id, name);
      return { status: 204 };
    });

    core.services.set('tags', registry);
    core.state('tags', {
      dump: () => [...tags].map(tagJson),
      reset: () => {
        tags.clear();
        taggedOrder.clear();
      },
    });
  },
};

/**
 * The tag service's own refusal, as the API reference documents it for `POST /v2/tags`: 400 with
 * `error` and `root_causes` rather than the usual `id` and `message`.
 */
function invalidTagName(name: unknown) {
  const error = `Error validating resource tag: "tag-name ${JSON.stringify(String(name ?? ''))} contains invalid characters"`;
  return {
    status: 400,
    body: { error, messages: null, root_causes: [`rpc error: code = InvalidArgument desc = ${error}`] },
  };
}

function objectBody(req: EmuRequest): Record<string, unknown> {
  return req.body && typeof req.body === 'object' && !Array.isArray(req.body)
    ? (req.body as Record<string, unknown>)
    : {};
}
