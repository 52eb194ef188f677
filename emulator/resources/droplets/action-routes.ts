import { notFound, unprocessable } from '../../core/http-error.js';
import { paginate } from '../../core/paginate.js';
import type { EmuCore } from '../../core/types.js';
import type { ActionJson } from '../actions.js';
import { regionJson } from './catalog.js';
import { BULK_TYPES, planDropletAction } from './droplet-actions.js';
import type { DropletRecord } from './model.js';
import { dropletOf, objectBody } from './routes.js';
import type { DropletStore } from './store.js';

const PENDING = 'Droplet already has a pending event.';

/** `/v2/droplets/:id/actions` and bulk actions by tag; every action goes into the shared store. */
export function registerDropletActionRoutes(core: EmuCore, store: DropletStore): void {
  // One action at a time per droplet, as on DigitalOcean (the create counts while it boots).
  const start = (d: DropletRecord, body: Record<string, unknown>): ActionJson => {
    if (store.running(d).length > 0) throw unprocessable(PENDING);
    const plan = planDropletAction(core, store, d, body);
    const action = store.actions().start({
      type: plan.type,
      resourceId: d.id,
      resourceType: 'droplet',
      durationMs: plan.durationMs,
      region: regionJson(d.region),
      onComplete: () => {
        if (store.has(d.id)) plan.complete?.(d);
      },
    });
    plan.begin?.();
    return action;
  };

  core.route('POST', '/v2/droplets/:droplet_id/actions', (req) => ({
    status: 201,
    body: { action: start(dropletOf(store, req), objectBody(req)) },
  }));

  core.route('GET', '/v2/droplets/:droplet_id/actions', (req) => {
    const d = dropletOf(store, req);
    return {
      status: 200,
      body: paginate(req, core.baseUrl(), 'actions', store.actions().listFor('droplet', d.id)),
    };
  });

  core.route('GET', '/v2/droplets/:droplet_id/actions/:action_id', (req) => {
    const d = dropletOf(store, req);
    const action = store.actions().get(Number(req.params.action_id));
    if (action?.resource_type !== 'droplet' || action.resource_id !== d.id) throw notFound();
    return { status: 200, body: { action } };
  });

  core.route('POST', '/v2/droplets/actions', (req) => {
    const tag = req.query.get('tag_name');
    if (!tag) throw unprocessable('tag_name is required for bulk Droplet actions');
    const body = objectBody(req);
    if (typeof body.type !== 'string' || !BULK_TYPES.has(body.type)) {
      throw unprocessable(
        `${JSON.stringify(body.type ?? null)} is not an action type that can be run on tagged Droplets.`,
      );
    }
    // Droplets the action does not apply to right now (already off, busy) are left out.
    const actions: ActionJson[] = [];
    for (const d of store.list().filter((x) => x.tags.includes(tag))) {
      try {
        actions.push(start(d, body));
      } catch (error) {
        if ((error as { status?: number }).status !== 422) throw error;
      }
    }
    return { status: 201, body: { actions } };
  });
}
