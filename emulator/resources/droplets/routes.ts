import { notFound, unprocessable } from '../../core/http-error.js';
import { paginate } from '../../core/paginate.js';
import { service } from '../../core/services.js';
import type { EmuCore, EmuRequest } from '../../core/types.js';
import type { SshKeysService } from '../ssh-keys.js';
import { parseCreateRequest } from './create-request.js';
import type { DropletRecord } from './model.js';
import type { DropletStore } from './store.js';

export function objectBody(req: EmuRequest): Record<string, unknown> {
  return req.body && typeof req.body === 'object' && !Array.isArray(req.body)
    ? (req.body as Record<string, unknown>)
    : {};
}

/** The droplet a `:droplet_id` path names, or 404 as DigitalOcean answers for unknown ids. */
export function dropletOf(store: DropletStore, req: EmuRequest): DropletRecord {
  const raw = req.params.droplet_id ?? '';
  const droplet = /^\d+$/.test(raw) ? store.get(Number(raw)) : undefined;
  if (!droplet) throw notFound();
  return droplet;
}

/**
 * `/v2/droplets`: create (one or up to ten, within the droplet limit), list with filters, get, delete
 * by id or by tag (asynchronous: a deleted droplet stays listed for a while).
 */
export function registerDropletRoutes(core: EmuCore, store: DropletStore): void {
  core.route('POST', '/v2/droplets', async (req) => {
    const body = objectBody(req);
    const request = parseCreateRequest(body, service<SshKeysService>(core.services, 'sshKeys'));
    const created = await store.create(request);
    const links = {
      actions: created.actions.map((a) => ({
        id: a.id,
        rel: 'create',
        href: `${core.baseUrl()}/v2/actions/${a.id}`,
      })),
    };
    const json = created.droplets.map((d) => store.json(d));
    return { status: 202, body: request.multiple ? { droplets: json, links } : { droplet: json[0], links } };
  });

  core.route('GET', '/v2/droplets', (req) => {
    const tag = req.query.get('tag_name');
    const name = req.query.get('name');
    const type = req.query.get('type');
    // The API reference: `tag_name` can not be combined with `name` or `type`.
    if (tag !== null && (name !== null || type !== null)) {
      throw unprocessable('tag_name can not be combined with name or type');
    }
    if (type !== null && type !== 'droplets' && type !== 'gpus')
      throw unprocessable('type must be droplets or gpus');
    let droplets = store.list();
    // No GPU sizes exist here, so every droplet is a regular one.
    if (type === 'gpus') droplets = [];
    if (tag !== null) droplets = droplets.filter((d) => d.tags.includes(tag));
    if (name !== null) droplets = droplets.filter((d) => d.name.toLowerCase() === name.toLowerCase());
    return {
      status: 200,
      body: paginate(
        req,
        core.baseUrl(),
        'droplets',
        droplets.map((d) => store.json(d)),
      ),
    };
  });

  core.route('GET', '/v2/droplets/:droplet_id', (req) => ({
    status: 200,
    body: { droplet: store.json(dropletOf(store, req)) },
  }));

  // Accepted at once; the droplet stays listed while DigitalOcean deletes it (store.destroy).
  core.route('DELETE', '/v2/droplets/:droplet_id', async (req) => {
    await store.destroy(dropletOf(store, req).id);
    return { status: 204 };
  });

  core.route('DELETE', '/v2/droplets', async (req) => {
    const tag = req.query.get('tag_name');
    if (!tag) throw unprocessable('tag_name is required to delete Droplets by tag');
    const tagged = store.list().filter((d) => d.tags.includes(tag));
    await Promise.all(tagged.map((d) => store.destroy(d.id)));
    return { status: 204 };
  });
}
